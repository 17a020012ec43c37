import Coupons
import Storage
import WeChat

/// Carries out sync attempts: claims a coupon, then makes the calls and records what
/// `CouponSyncStateMachine` asks for, until it says the attempt is over. The rules are the machine's;
/// this type only talks to WeChat (`WeChatCouponCalls`) and to the store (`CouponStore`).
///
/// It is also Web's one way to WeChat: the user coupons WeChat lists, and imports of WeChat's coupons.
public struct CouponSync: Sendable {
    public enum Result: Sendable {
        case synced(CouponRecord)
        case rejected(CouponRecord, WeChatError)
        case pending(CouponRecord, reason: String)
        /// Another process is syncing this coupon right now, or it is no longer pending.
        case notClaimed
    }

    let store: any CouponStore
    let wechat: any WeChatCouponCalls
    /// Who holds a claim: this process.
    let holder: String
    /// How long an attempt holds its claim: longer than its calls can take, so that only a claim left
    /// by a process that died runs out.
    let lease: Double
    let backoff: Backoff
    let now: @Sendable () -> Double

    /// - Parameter callTimeLimit: the longest one WeChat call may take, retries included.
    public init(
        store: any CouponStore, wechat: any WeChatCouponCalls, holder: String, callTimeLimit: Duration, backoff: Backoff = Backoff(),
        now: @escaping @Sendable () -> Double
    ) {
        self.store = store
        self.wechat = wechat
        self.holder = holder
        lease = callTimeLimit / .seconds(1) * 3 + 5
        self.backoff = backoff
        self.now = now
    }

    /// Syncs through `client`, whose configuration bounds the calls' time.
    public init(database: AppDatabase, client: WeChatClient, holder: String, backoff: Backoff = Backoff(), now: @escaping @Sendable () -> Double) {
        self.init(store: database.coupons, wechat: client, holder: holder, callTimeLimit: client.configuration.totalTimeout, backoff: backoff, now: now)
    }

    /// The claim to store a new coupon with (`AppDatabase.createCoupon(_:now:claimingSync:)`), so that
    /// its first attempt is `syncNew` and nothing else takes it meanwhile.
    public func newClaim() -> SyncClaim {
        SyncClaim(holder: holder, until: now() + lease)
    }

    /// Set while WeChat's calls are paused (refused credentials, a spent daily quota).
    public var pause: CallPause? { wechat.pause }

    /// One attempt for one coupon, if no other process holds it.
    public func sync(outCouponID: String) async throws -> Result {
        guard let previousAttempts = try await store.claimSync(outCouponID: outCouponID, holder: holder, now: now(), lease: lease),
              let stored = try store.coupon(outCouponID: outCouponID)
        else { return .notClaimed }
        return try await attempt(stored, previousAttempts: previousAttempts)
    }

    /// The first attempt for a coupon just stored under `newClaim()`.
    public func syncNew(_ stored: CouponRecord) async throws -> Result {
        try await attempt(stored, previousAttempts: 0)
    }

    private func attempt(_ stored: CouponRecord, previousAttempts: Int) async throws -> Result {
        var (machine, action) = CouponSyncStateMachine.start(stored, previousAttempts: previousAttempts, backoff: backoff)
        let id = stored.outCouponID
        // The start of the calls an attempt record covers: from the first call after the last record.
        var callsStarted: Double?
        while true {
            switch action {
            case .call(let call):
                let started = callsStarted ?? now()
                callsStarted = started
                do throws(WeChatCallError) {
                    action = machine.answered(try await make(call, for: stored))
                } catch {
                    action = machine.failed(error, now: now())
                }
            case .recordCoupon(let endpoint, let errcode, let failure, let outcome, let wechatBody):
                let attempt = attemptRecord(since: callsStarted, endpoint, errcode: errcode, failure: failure)
                callsStarted = nil
                guard let updated = try await store.recordSync(
                    outCouponID: id, attempt: attempt, outcome: outcome, wechatBody: wechatBody, holder: holder, actor: AppDatabase.syncActor,
                    action: "coupon.sync", now: Int(now())
                ) else { throw SyncError.couponVanished(id) }
                action = machine.recordedCoupon(updated)
            case .readNextChange:
                action = machine.readChange(try store.nextChange(outCouponID: id))
            case .recordChange(let change, let errcode, let failure, let result):
                let attempt = attemptRecord(since: callsStarted, Self.endpoint(of: change.kind), errcode: errcode, failure: failure)
                callsStarted = nil
                let (updated, moreToSend) = try await store.recordChange(
                    change, outCouponID: id, attempt: attempt, result: result, holder: holder, claimUntil: now() + lease, now: Int(now())
                )
                action = machine.recordedChange(updated, moreToSend: moreToSend)
            case .finish(.synced(let record)): return .synced(record)
            case .finish(.rejected(let record, let error)): return .rejected(record, error)
            case .finish(.pending(let record, let reason)): return .pending(record, reason: reason)
            }
        }
    }

    private func attemptRecord(since started: Double?, _ endpoint: CouponEndpoint, errcode: Int?, failure: String?) -> SyncAttempt {
        let end = now()
        let started = started ?? end
        return SyncAttempt(at: started, endpoint: endpoint.path, errcode: errcode, failure: failure, durationMilliseconds: (end - started) * 1000)
    }

    /// Makes a call; answers the coupon's state for `get`. `add` sends the coupon as the attempt began.
    private func make(_ call: CouponSyncStateMachine.Call, for coupon: CouponRecord) async throws(WeChatCallError) -> WeChatClient.CouponState? {
        let id = coupon.outCouponID
        switch call {
        case .getCoupon:
            return try await wechat.couponState(outCouponID: id)
        case .addCoupon:
            try await wechat.addCoupon(canonicalJSON: Array(coupon.body.utf8))
        case .send(let change, let body):
            try await send(change, of: id, body: body)
        }
        return nil
    }

    /// Asks WeChat for a coupon's status and times and stores them (a pending or rejected coupon that
    /// WeChat turns out to have becomes synced), entered in the audit log as asked for by `actor`. On
    /// failure the stored coupon is left as it was; either way the attempt is recorded. Nil when no
    /// such coupon is stored.
    public func refresh(outCouponID: String, by actor: String) async throws -> Swift.Result<CouponRecord, WeChatCallError>? {
        guard try store.coupon(outCouponID: outCouponID) != nil else { return nil }
        let started = now()
        let answer: Swift.Result<WeChatClient.CouponState, WeChatCallError>
        do throws(WeChatCallError) {
            answer = .success(try await wechat.couponState(outCouponID: outCouponID))
        } catch {
            answer = .failure(error)
        }
        let outcome = try? answer.map(SyncOutcome.synced).get()
        let error = if case .failure(let error) = answer { error } else { WeChatCallError?.none }
        let attempt = attemptRecord(since: started, .get, errcode: error == nil ? 0 : error?.errcode, failure: error?.description)
        guard let updated = try await store.recordSync(
            outCouponID: outCouponID, attempt: attempt, outcome: outcome, wechatBody: nil, holder: nil, actor: actor, action: "coupon.refresh", now: Int(now())
        ) else { throw SyncError.couponVanished(outCouponID) }
        return error.map { .failure($0) } ?? .success(updated)
    }

    /// One page of the coupons WeChat lists for a user.
    public func userCoupons(openID: String, pageSize: Int, offset: Int) async throws(WeChatCallError) -> (totalNum: Int, entries: [WeChatClient.UserCouponEntry]) {
        try await wechat.userCouponList(openID: openID, pageSize: pageSize, offset: offset)
    }

    /// An import of WeChat's coupons into `database`.
    public func importer(into database: AppDatabase, now: @escaping @Sendable () -> Int) -> CouponImport {
        CouponImport(database: database, wechat: wechat, now: now)
    }

    enum SyncError: Error {
        case couponVanished(String)
    }
}
