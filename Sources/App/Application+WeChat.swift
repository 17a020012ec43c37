import Accounts
#if canImport(Glibc)
import Glibc
#endif
import Storage
import Sync
import WeChat

extension Application {
    /// The WeChat client for `wechat`, its tokens shared with the other processes on `database`.
    public static func makeWeChatClient(_ wechat: WeChatConfiguration, database: AppDatabase) -> WeChatClient {
        let store = DatabaseAccessTokenStore(database: database, key: accessTokenKey(for: wechat), holder: processHolder)
        return WeChatClient(configuration: wechat, shared: store, now: unixTimeWithFraction)
    }

    /// Syncs coupons through `client` as this process.
    public static func makeCouponSync(database: AppDatabase, client: WeChatClient) -> CouponSync {
        CouponSync(database: database, client: client, holder: processHolder, now: unixTimeWithFraction)
    }

    /// `APPID:SHA256(secret)`: tokens are shared per app and secret, so a new secret never reuses an
    /// old token, and the secret itself is never stored.
    public static func accessTokenKey(for wechat: WeChatConfiguration) -> String {
        wechat.appID + ":" + sha256Hex(wechat.secret)
    }
}

/// This process, as the holder of claims in the database (on the access token, on a coupon's sync).
let processHolder = "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
