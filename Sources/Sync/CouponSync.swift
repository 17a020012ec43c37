import Coupons
import Storage
import StrictJSON
import WeChat

/// Sends stored coupons to WeChat and records what came of it: `add`, then `get` for WeChat's status
/// and times. A refusal WeChat would repeat marks the coupon rejected; anything else (no answer, busy,
/// rate limits, token or credential trouble) leaves it pending, to be tried again after a backoff
/// that grows with each attempt.
public struct CouponSync: Sendable {
    public enum Result: Sendable {
        case synced(CouponRecord)
        case rejected(CouponRecord, WeChatError)
        case pending(CouponRecord, reason: String)
        /// Another process is syncing this coupon right now, or it is no longer pending.
        case notClaimed
    }

    let database: AppDatabase
    let client: WeChatClient
    /// Who holds a claim: this process.
    let holder: String
    let now: @Sendable () -> Double
    /// Seconds before the first retry; each later one waits twice as long, up to `maximumBackoff`.
    let firstBackoff: Double
    let maximumBackoff: Double

    public init(
        database: AppDatabase, client: WeChatClient, holder: String, firstBackoff: Double = 2, maximumBackoff: Double = 600,
        now: @escaping @Sendable () -> Double
    ) {
        self.database = database
        self.client = client
        self.holder = holder
        self.firstBackoff = firstBackoff
        self.maximumBackoff = maximumBackoff
        self.now = now
    }

    /// One attempt for one coupon, if no other process holds it.
    public func sync(outCouponID: String) async throws -> Result {
        let lease = client.configuration.totalTimeout.secondsValue * 3 + 5
        guard try database.claimSync(outCouponID: outCouponID, holder: holder, now: now(), lease: lease),
              let stored = try database.coupon(outCouponID: outCouponID)
        else { return .notClaimed }
        let coupon = try Coupon.decode(try JSONParser.parse(Array(stored.body.utf8)))
        let started = now()
        switch await send(coupon) {
        case .success(let state):
            let status = CouponStatus(rawValue: state.status) ?? .notActive
            let updated = try save(outCouponID, started, errcode: 0, failure: nil,
                                   .synced(status: status, createTime: state.createTime, updateTime: state.updateTime))
            return .synced(updated)
        case .failure(.refused(let error)) where error.kind == .refused:
            let updated = try save(outCouponID, started, errcode: error.code, failure: error.message,
                                   .rejected(reason: "\(error.code) \(error.message)"))
            return .rejected(updated, error)
        case .failure(let error):
            let code: Int? = if case .refused(let refusal) = error { refusal.code } else { nil }
            let attempts = try database.syncAttempts(outCouponID: outCouponID).count
            let retryAt = now() + Self.backoff(afterAttempts: attempts + 1, first: firstBackoff, maximum: maximumBackoff)
            let updated = try save(outCouponID, started, errcode: code, failure: error.description,
                                   .pending(reason: error.description, retryAt: retryAt))
            return .pending(updated, reason: error.description)
        }
    }

    /// `add`, then `get` for what WeChat made of it.
    private func send(_ coupon: Coupon) async -> Swift.Result<WeChatClient.CouponState, WeChatCallError> {
        do throws(WeChatCallError) {
            try await client.addCoupon(coupon)
            return .success(try await client.couponState(outCouponID: coupon.outCouponID))
        } catch {
            return .failure(error)
        }
    }

    /// Seconds to wait after `attempts` failed attempts: doubling from `first`, capped at `maximum`,
    /// with up to a quarter of jitter so that many coupons do not retry in step.
    public static func backoff(afterAttempts attempts: Int, first: Double, maximum: Double) -> Double {
        let base = min(maximum, first * Double(1 << min(attempts - 1, 30)))
        return base * Double.random(in: 0.75...1.0)
    }

    private func save(
        _ outCouponID: String, _ started: Double, errcode: Int?, failure: String?, _ outcome: AppDatabase.SyncOutcome
    ) throws -> CouponRecord {
        let attempt = AppDatabase.SyncAttempt(
            at: started, endpoint: CouponEndpoint.add.path, errcode: errcode, failure: failure, durationMilliseconds: (now() - started) * 1000
        )
        guard let updated = try database.recordSync(outCouponID: outCouponID, attempt: attempt, outcome: outcome, holder: holder, now: Int(now())) else {
            throw SyncError.couponVanished(outCouponID)
        }
        return updated
    }

    enum SyncError: Error {
        case couponVanished(String)
    }
}

extension Duration {
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
