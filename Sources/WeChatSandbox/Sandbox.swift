import Coupons
import StrictJSON

/// The state of the stand-in for api.weixin.qq.com while it runs: its credentials, tokens, coupons,
/// the faults set through its control endpoint, and how often each endpoint was called.
public actor Sandbox {
    public struct Settings: Sendable {
        public var appID: String
        public var secret: String
        /// Seconds a token lives.
        public var tokenLifetime: Double
        /// Seconds an old token keeps working beside its successor.
        public var tokenOverlap: Double

        public init(appID: String, secret: String, tokenLifetime: Double = 7200, tokenOverlap: Double = 300) {
            self.appID = appID
            self.secret = secret
            self.tokenLifetime = tokenLifetime
            self.tokenOverlap = tokenOverlap
        }
    }

    /// Faults to play, set at run time through `POST /sandbox/faults`.
    public struct Faults: Sendable, Equatable {
        /// Added before every answer of WeChat's endpoints.
        public var latencyMilliseconds = 0
        /// The share of coupon calls (0 to 1) that answer -1 "system busy".
        public var failureRate = 0.0
        /// The next `errcodeCount` coupon calls answer this errcode.
        public var errcode = 0
        public var errcodeCount = 0
        /// Every WeChat endpoint answers 503 without JSON, as a proxy in front of a dead service would.
        public var down = false
        /// Every WeChat endpoint carries the call out, then closes the connection partway through its
        /// answer: the caller cannot tell whether it happened.
        public var drop = false

        public init() {}
    }

    struct StoredCoupon {
        var body: [UInt8]
        var status: Int
        var createTime: Int
        var updateTime: Int
        var issuedNum: Int
        var receiveNum: Int
    }

    struct UserCoupon {
        var openID: String
        var outUserCouponID: String
        var outCouponID: String
        var status: Int
        var createTime: Int
        var updateTime: Int
        var receiveTime: Int
        var useTime: Int?
    }

    let settings: Settings
    let clock: @Sendable () -> Double
    private var tokens: SandboxTokens
    var coupons: [String: StoredCoupon] = [:]
    /// Keyed by openid and out_user_coupon_id.
    var userCoupons: [String: UserCoupon] = [:]
    public private(set) var faults = Faults()
    public private(set) var calls: [String: Int] = [:]
    /// `add` calls for an id already stored: a client that retries without checking creates these.
    public internal(set) var repeatedAdds = 0

    public init(settings: Settings, clock: @escaping @Sendable () -> Double) {
        self.settings = settings
        self.clock = clock
        tokens = SandboxTokens(lifetime: settings.tokenLifetime, overlap: settings.tokenOverlap)
    }

    public func setFaults(_ faults: Faults) {
        self.faults = faults
    }

    public var storedCouponCount: Int { coupons.count }

    /// What a WeChat endpoint answers, or nil when the sandbox plays "down".
    public struct Answer: Sendable {
        public var json: [UInt8]
        public var latencyMilliseconds: Int
        /// Close the connection partway through this answer.
        public var drop = false
    }

    /// Counts the call and applies the faults; a non-nil errcode is the answer. The errcode and
    /// failure-rate faults are for the coupon endpoints: a token endpoint has errors of its own.
    private func begin(_ endpoint: String) -> (errcode: Int?, down: Bool) {
        calls[endpoint, default: 0] += 1
        if faults.down { return (nil, true) }
        guard endpoint.hasPrefix("/shop/") else { return (nil, false) }
        if faults.errcodeCount > 0 {
            faults.errcodeCount -= 1
            return (faults.errcode, false)
        }
        if faults.failureRate > 0, Double.random(in: 0..<1) < faults.failureRate { return (-1, false) }
        return (nil, false)
    }

    // MARK: Tokens

    /// `POST /cgi-bin/stable_token`.
    public func stableToken(body: [UInt8]) -> Answer? {
        let (fault, down) = begin("/cgi-bin/stable_token")
        if down { return nil }
        if let fault { return answer(error: fault) }
        guard let request = try? JSONParser.parse(body), case .object = request else { return answer(error: 47001) }
        guard request.member("grant_type") == .string("client_credential") else { return answer(error: 40002) }
        if let error = credentialsError(appID: request.member("appid"), secret: request.member("secret")) { return answer(error: error) }
        let force = request.member("force_refresh") == .bool(true)
        return answer(token: tokens.stableToken(forceRefresh: force, now: clock()))
    }

    /// `GET /cgi-bin/token?grant_type=client_credential&appid=&secret=`.
    public func legacyToken(query: [String: String]) -> Answer? {
        let (fault, down) = begin("/cgi-bin/token")
        if down { return nil }
        if let fault { return answer(error: fault) }
        guard query["grant_type"] == "client_credential" else { return answer(error: 40002) }
        if let error = credentialsError(appID: query["appid"].map(JSONValue.string), secret: query["secret"].map(JSONValue.string)) {
            return answer(error: error)
        }
        return answer(token: tokens.legacyToken(now: clock()))
    }

    private func credentialsError(appID: JSONValue?, secret: JSONValue?) -> Int? {
        guard appID == .string(settings.appID) else { return 40013 }
        guard secret == .string(settings.secret) else { return 40125 }
        return nil
    }

    private func answer(token: SandboxTokens.Issued) -> Answer {
        let expiresIn = Int((token.expiresAt - clock()).rounded(.down))
        var writer = JSONWriter()
        writer.object {
            $0.member("access_token") { $0.string(token.value) }
            $0.member("expires_in") { $0.integer(expiresIn) }
        }
        return Answer(json: writer.bytes, latencyMilliseconds: faults.latencyMilliseconds, drop: faults.drop)
    }

    // MARK: Coupons

    /// `POST /shop/coupon/NAME?access_token=...`: the token is checked first, then the call.
    public func coupon(_ name: String, accessToken: String?, body: [UInt8]) -> Answer? {
        let (fault, down) = begin("/shop/coupon/" + name)
        if down { return nil }
        if let fault { return answer(error: fault) }
        let tokenError = tokens.check(accessToken, now: clock())
        if tokenError != 0 { return answer(error: tokenError) }
        guard let request = try? JSONParser.parse(body) else { return answer(error: 47001) }
        switch name {
        case "confirm": return answer(error: 0)
        case "add": return add(request)
        case "update": return update(request)
        case "get": return get(request)
        case "get_list": return getList(request)
        case "update_status": return updateStatus(request)
        case "update_coupon_stock": return updateStock(request)
        case "add_user_coupon": return addUserCoupon(request)
        case "get_usercoupon_list": return userCouponList(request)
        case "update_user_coupon": return updateUserCoupon(request)
        case "update_usercoupon_status": return updateUserCouponStatus(request)
        default: return answer(error: 48001, message: "no such API: \(name)")
        }
    }

    /// The sandbox's own codes, where WeChat documents none: a coupon or user coupon it does not have,
    /// `update` of a coupon that is no longer in status 1, a status change WeChat does not allow.
    public static let notFound = 1_090_004
    public static let notEditable = 1_090_007
    public static let statusChangeRefused = 1_090_008

    func answer(error code: Int, message: String? = nil) -> Answer {
        var writer = JSONWriter()
        writer.object {
            $0.member("errcode") { $0.integer(code) }
            $0.member("errmsg") { $0.string(message ?? (code == 0 ? "ok" : "sandbox errcode \(code)")) }
        }
        return Answer(json: writer.bytes, latencyMilliseconds: faults.latencyMilliseconds, drop: faults.drop)
    }
}
