import Coupons
import Storage
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
    public let client: WeChatClient
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

    /// How long an attempt holds its claim: longer than its calls can take, so that only a claim left
    /// by a process that died runs out.
    var lease: Double { client.configuration.totalTimeout.secondsValue * 3 + 5 }

    /// The claim to store a new coupon with (`AppDatabase.createCoupon(_:now:claimingSync:)`), so that
    /// its first attempt is `syncNew` and nothing else takes it meanwhile.
    public func newClaim() -> AppDatabase.SyncClaim {
        AppDatabase.SyncClaim(holder: holder, until: now() + lease)
    }

    /// One attempt for one coupon, if no other process holds it. A coupon tried before may have
    /// reached WeChat although no answer came back, so WeChat is asked for it before it is added again.
    public func sync(outCouponID: String) async throws -> Result {
        guard let previousAttempts = try await database.claimSync(outCouponID: outCouponID, holder: holder, now: now(), lease: lease),
              let stored = try database.coupon(outCouponID: outCouponID)
        else { return .notClaimed }
        return try await attempt(stored, previousAttempts: previousAttempts)
    }

    /// The first attempt for a coupon just stored under `newClaim()`.
    public func syncNew(_ stored: CouponRecord) async throws -> Result {
        try await attempt(stored, previousAttempts: 0)
    }

    /// Sends the coupon as stored (its canonical JSON is what WeChat gets) if WeChat does not have it
    /// yet, then the changes queued for it, in order.
    private func attempt(_ stored: CouponRecord, previousAttempts: Int) async throws -> Result {
        guard stored.wechatStatus == nil else { return try await sendQueue(of: stored, uncertain: previousAttempts > 0) }
        let outCouponID = stored.outCouponID
        let started = now()
        switch await send(stored, askFirst: previousAttempts > 0) {
        case .success(let sent):
            let wechatBody = sent.endpoint == .add ? stored.body : sent.state.coupon.map { String(decoding: $0.canonicalJSON, as: UTF8.self) }
            let updated = try await save(outCouponID, started, sent.endpoint, errcode: 0, failure: nil, .synced(sent.state), wechatBody: wechatBody)
            guard updated.syncState == SyncState.pending.rawValue else { return .synced(updated) }
            return try await sendQueue(of: updated, uncertain: false)
        case .failure(let failed):
            switch failed.error {
            case .refused(let error) where error.kind == .refused:
                let updated = try await save(outCouponID, started, failed.endpoint, errcode: error.code, failure: error.message,
                                       .rejected(reason: "\(error.code) \(error.message)"))
                return .rejected(updated, error)
            case let error:
                let retryAt = retryTime(afterAttempts: previousAttempts + 1, error)
                let updated = try await save(outCouponID, started, failed.endpoint, errcode: error.errcode, failure: error.description,
                                       .pending(reason: error.description, retryAt: retryAt))
                return .pending(updated, reason: error.description)
            }
        }
    }

    /// A call that failed, and which endpoint it was.
    struct FailedCall: Error {
        var endpoint: CouponEndpoint
        var error: WeChatCallError
    }

    /// `add`, then `get` for what WeChat made of it; with `askFirst`, `get` comes first and `add`
    /// only when WeChat has no such coupon. Answers the main endpoint called (`add` if it was).
    private func send(_ coupon: CouponRecord, askFirst: Bool) async -> Swift.Result<(endpoint: CouponEndpoint, state: WeChatClient.CouponState), FailedCall> {
        var endpoint = CouponEndpoint.get
        do throws(WeChatCallError) {
            if askFirst, let state = try await stateIfWeChatHas(coupon.outCouponID) { return .success((.get, state)) }
            endpoint = .add
            try await client.addCoupon(canonicalJSON: Array(coupon.body.utf8))
            endpoint = .get
            let state = try await client.couponState(outCouponID: coupon.outCouponID)
            return .success((.add, state))
        } catch {
            return .failure(FailedCall(endpoint: endpoint, error: error))
        }
    }

    /// Asks WeChat for a coupon's status and times and stores them (a pending or rejected coupon that
    /// WeChat turns out to have becomes synced), entered in the audit log as asked for by `actor`. On
    /// failure the stored coupon is left as it was; either way the attempt is recorded. Nil when no
    /// such coupon is stored.
    public func refresh(outCouponID: String, by actor: String) async throws -> Swift.Result<CouponRecord, WeChatCallError>? {
        guard try database.coupon(outCouponID: outCouponID) != nil else { return nil }
        let started = now()
        let answer: Swift.Result<WeChatClient.CouponState, WeChatCallError>
        do throws(WeChatCallError) {
            answer = .success(try await client.couponState(outCouponID: outCouponID))
        } catch {
            answer = .failure(error)
        }
        switch answer {
        case .success(let state):
            return .success(try await save(
                outCouponID, started, .get, errcode: 0, failure: nil, .synced(state), releasingClaim: false, by: actor, action: "coupon.refresh"
            ))
        case .failure(let error):
            _ = try await save(outCouponID, started, .get, errcode: error.errcode, failure: error.description, nil, releasingClaim: false)
            return .failure(error)
        }
    }

    /// WeChat's state of a coupon, or nil when WeChat says it has no such coupon.
    func stateIfWeChatHas(_ outCouponID: String) async throws(WeChatCallError) -> WeChatClient.CouponState? {
        do {
            return try await client.couponState(outCouponID: outCouponID)
        } catch .refused(let error) where error.kind == .refused {
            return nil
        }
    }

    /// When to try again after `attempts` failed attempts, the last failing with `error`.
    func retryTime(afterAttempts attempts: Int, _ error: WeChatCallError) -> Double {
        let retryAt = now() + Self.backoff(afterAttempts: attempts, first: firstBackoff, maximum: maximumBackoff)
        if case .paused(let pause) = error { return max(retryAt, pause.until) }
        return retryAt
    }

    /// Seconds to wait after `attempts` failed attempts: doubling from `first`, capped at `maximum`,
    /// with up to a quarter of jitter so that many coupons do not retry in step.
    public static func backoff(afterAttempts attempts: Int, first: Double, maximum: Double) -> Double {
        let base = min(maximum, first * Double(1 << min(attempts - 1, 30)))
        return base * Double.random(in: 0.75...1.0)
    }

    /// Records the attempt and its outcome; the audit log names the worker's sync unless a person asked.
    private func save(
        _ outCouponID: String, _ started: Double, _ endpoint: CouponEndpoint, errcode: Int?, failure: String?, _ outcome: AppDatabase.SyncOutcome?,
        wechatBody: String? = nil, releasingClaim: Bool = true, by actor: String = AppDatabase.syncActor, action: String = "coupon.sync"
    ) async throws -> CouponRecord {
        let attempt = AppDatabase.SyncAttempt(
            at: started, endpoint: endpoint.path, errcode: errcode, failure: failure, durationMilliseconds: (now() - started) * 1000
        )
        guard let updated = try await database.recordSync(
            outCouponID: outCouponID, attempt: attempt, outcome: outcome, wechatBody: wechatBody, holder: releasingClaim ? holder : nil, actor: actor, action: action,
            now: Int(now())
        ) else {
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

extension AppDatabase.SyncOutcome {
    static func synced(_ state: WeChatClient.CouponState) -> Self {
        .synced(status: CouponStatus(rawValue: state.status) ?? .notActive, createTime: state.createTime, updateTime: state.updateTime)
    }
}
