import Coupons
import Storage
import WeChat

/// The rules of one sync attempt for one coupon, as a value that takes what happened (events) and
/// answers what to do next (actions). It makes no call and reads no clock: `CouponSync` carries its
/// actions out and feeds the results back.
///
/// A coupon WeChat does not have yet is sent with `add`, then read with `get` for WeChat's status and
/// times; after an attempt that may have reached WeChat unanswered, `get` comes first and `add` only
/// when WeChat has no such coupon. Once WeChat has the coupon, its queued changes are sent oldest
/// first. A refusal WeChat would repeat settles the coupon (or the change) as rejected; anything else
/// leaves it pending, to be tried again after `Backoff`'s delay.
public struct CouponSyncStateMachine: Sendable {
    /// A WeChat call to make.
    public enum Call: Sendable, Equatable {
        /// `get`: WeChat's status and times of the coupon.
        case getCoupon
        /// `add` of the coupon as stored.
        case addCoupon
        /// The call a queued change stands for; `update` sends `body`, the coupon as last stored.
        case send(CouponChange, body: String)
    }

    public enum Action: Sendable, Equatable {
        case call(Call)
        /// Record the attempt at the coupon itself and where it leaves the coupon; `wechatBody` is the
        /// body WeChat is known to have after an `add` (`AppDatabase.recordSync`).
        case recordCoupon(endpoint: CouponEndpoint, errcode: Int?, failure: String?, outcome: SyncOutcome, wechatBody: String?)
        /// Read the oldest change of the coupon's queue still to send.
        case readNextChange
        /// Record the attempt at a change and what came of it (`AppDatabase.recordChange`).
        case recordChange(CouponChange, errcode: Int?, failure: String?, result: ChangeResult)
        /// The attempt is over.
        case finish(Outcome)
    }

    /// Where the attempt leaves the coupon.
    public enum Outcome: Sendable, Equatable {
        case synced(CouponRecord)
        case rejected(CouponRecord, WeChatError)
        case pending(CouponRecord, reason: String)
    }

    private enum State: Sendable {
        /// `get` before `add`, to learn whether an earlier attempt reached WeChat.
        case askingWeChat
        case adding
        /// `get` after a successful `add`.
        case readingAfterAdd
        case recordingCoupon(SyncOutcome)
        case readingNextChange
        /// `get` before a status change: one that went through unanswered would be refused if sent again.
        case checkingStatus(CouponChange)
        case sending(CouponChange)
        case recordingChange
        case finished
    }

    private var state: State
    /// The coupon as last stored.
    private var record: CouponRecord
    /// An earlier attempt may have been carried out without an answer.
    private var uncertain: Bool
    private let previousAttempts: Int
    /// WeChat's refusal of the coupon itself or of one of its own changes, in this attempt.
    private var refusal: WeChatError?
    private let backoff: Backoff

    /// Starts an attempt for `stored`, after `previousAttempts` begun before; answers its first action.
    public static func start(_ stored: CouponRecord, previousAttempts: Int, backoff: Backoff) -> (Self, Action) {
        let uncertain = previousAttempts > 0
        let state: State = stored.wechatStatus != nil ? .readingNextChange : uncertain ? .askingWeChat : .adding
        let machine = Self(state: state, record: stored, uncertain: uncertain, previousAttempts: previousAttempts, backoff: backoff)
        let action: Action = switch state {
        case .readingNextChange: .readNextChange
        case .askingWeChat: .call(.getCoupon)
        default: .call(.addCoupon)
        }
        return (machine, action)
    }

    private init(state: State, record: CouponRecord, uncertain: Bool, previousAttempts: Int, backoff: Backoff) {
        self.state = state
        self.record = record
        self.uncertain = uncertain
        self.previousAttempts = previousAttempts
        self.backoff = backoff
    }

    /// The call asked for answered: with the coupon's state for `get`, nil for the others.
    public mutating func answered(_ coupon: WeChatClient.CouponState?) -> Action {
        switch state {
        case .askingWeChat:
            guard let coupon else { return unexpected("get answered without the coupon") }
            return recordCoupon(.get, .synced(coupon), wechatBody: coupon.coupon.map { String(decoding: $0.canonicalJSON, as: UTF8.self) })
        case .adding:
            state = .readingAfterAdd
            return .call(.getCoupon)
        case .readingAfterAdd:
            guard let coupon else { return unexpected("get answered without the coupon") }
            return recordCoupon(.add, .synced(coupon), wechatBody: record.body)
        case .checkingStatus(let change):
            if let coupon, coupon.status == change.status { return recordSent(change, body: nil) }
            state = .sending(change)
            return .call(.send(change, body: record.body))
        case .sending(let change):
            return recordSent(change, body: change.kind == .update ? record.body : nil)
        case .recordingCoupon, .readingNextChange, .recordingChange, .finished:
            return unexpected("an answer while no call was made")
        }
    }

    /// The call asked for failed with `error`, at `now` (unix seconds).
    public mutating func failed(_ error: WeChatCallError, now: Double) -> Action {
        switch state {
        case .askingWeChat where error.meansNoSuchCoupon:
            state = .adding
            return .call(.addCoupon)
        case .askingWeChat, .readingAfterAdd:
            return recordCouponFailure(.get, error, now: now)
        case .adding:
            return recordCouponFailure(.add, error, now: now)
        case .checkingStatus(let change) where error.meansNoSuchCoupon:
            state = .sending(change)
            return .call(.send(change, body: record.body))
        case .checkingStatus(let change), .sending(let change):
            state = .recordingChange
            guard let refused = error.refusal, refused.kind == .refused else {
                let retryAt = backoff.retryTime(afterAttempts: change.attempts + 1, error, now: now)
                return .recordChange(change, errcode: error.errcode, failure: error.description, result: .pending(reason: error.description, retryAt: retryAt))
            }
            // A refused user-coupon change rejects that user coupon only.
            if change.userCoupon == nil { refusal = refused }
            return .recordChange(change, errcode: error.errcode, failure: error.description, result: .rejected(reason: Self.reason(refused)))
        case .recordingCoupon, .readingNextChange, .recordingChange, .finished:
            return unexpected("a failure while no call was made")
        }
    }

    /// The attempt at the coupon itself is recorded, and the coupon is now `stored`.
    public mutating func recordedCoupon(_ stored: CouponRecord) -> Action {
        guard case .recordingCoupon(let outcome) = state else { return unexpected("a record nobody asked for") }
        record = stored
        switch outcome {
        case .synced where stored.syncState == .pending:
            // WeChat has the coupon now: what was queued meanwhile is sent with no doubt left.
            uncertain = false
            state = .readingNextChange
            return .readNextChange
        case .synced: return finish(.synced(stored))
        case .rejected: return finish(refusal.map { .rejected(stored, $0) } ?? .pending(stored, reason: stored.syncError ?? "rejected"))
        case .pending(let reason, _): return finish(.pending(stored, reason: reason))
        }
    }

    /// The oldest change still to send, or nil when the queue is empty.
    public mutating func readChange(_ change: CouponChange?) -> Action {
        guard case .readingNextChange = state else { return unexpected("a change nobody asked for") }
        guard let change else { return finishWithQueue() }
        let askFirst = uncertain || change.attempts > 0
        if change.kind == .updateStatus, askFirst {
            state = .checkingStatus(change)
            return .call(.getCoupon)
        }
        state = .sending(change)
        return .call(.send(change, body: record.body))
    }

    /// A change's attempt is recorded; the coupon is now `stored`, and `moreToSend` says whether its
    /// queue goes on in this attempt.
    public mutating func recordedChange(_ stored: CouponRecord, moreToSend: Bool) -> Action {
        guard case .recordingChange = state else { return unexpected("a record nobody asked for") }
        record = stored
        guard moreToSend else { return finishWithQueue() }
        state = .readingNextChange
        return .readNextChange
    }

    private mutating func recordCoupon(_ endpoint: CouponEndpoint, _ outcome: SyncOutcome, wechatBody: String?) -> Action {
        state = .recordingCoupon(outcome)
        return .recordCoupon(endpoint: endpoint, errcode: 0, failure: nil, outcome: outcome, wechatBody: wechatBody)
    }

    private mutating func recordCouponFailure(_ endpoint: CouponEndpoint, _ error: WeChatCallError, now: Double) -> Action {
        let outcome: SyncOutcome
        if let refused = error.refusal, refused.kind == .refused {
            refusal = refused
            outcome = .rejected(reason: Self.reason(refused))
        } else {
            outcome = .pending(reason: error.description, retryAt: backoff.retryTime(afterAttempts: previousAttempts + 1, error, now: now))
        }
        state = .recordingCoupon(outcome)
        return .recordCoupon(endpoint: endpoint, errcode: error.errcode, failure: error.description, outcome: outcome, wechatBody: nil)
    }

    private mutating func recordSent(_ change: CouponChange, body: String?) -> Action {
        state = .recordingChange
        return .recordChange(change, errcode: 0, failure: nil, result: .sent(sentBody: body))
    }

    /// How the coupon stands once its queue stops: synced, rejected by a refusal in this attempt (or
    /// before it: then it is reported as waiting), or pending.
    private mutating func finishWithQueue() -> Action {
        switch record.syncState {
        case .synced: finish(.synced(record))
        case .rejected: finish(refusal.map { .rejected(record, $0) } ?? .pending(record, reason: record.syncError ?? "rejected before"))
        case .pending: finish(.pending(record, reason: record.syncError ?? "more to send"))
        }
    }

    private mutating func finish(_ outcome: Outcome) -> Action {
        state = .finished
        return .finish(outcome)
    }

    /// An event the state does not expect: a bug in the caller. The attempt ends with the coupon pending.
    private mutating func unexpected(_ what: String) -> Action {
        finish(.pending(record, reason: "sync stopped: \(what)"))
    }

    static func reason(_ refused: WeChatError) -> String { "\(refused.code) \(refused.message)" }
}

extension WeChatCallError {
    /// WeChat answered that it has no such coupon (or refused the request in a way a retry would repeat).
    var meansNoSuchCoupon: Bool {
        if case .refused(let error) = self { error.kind == .refused } else { false }
    }
}

extension SyncOutcome {
    static func synced(_ state: WeChatClient.CouponState) -> Self {
        .synced(status: CouponStatus(rawValue: state.status) ?? .notActive, createTime: state.createTime, updateTime: state.updateTime)
    }
}
