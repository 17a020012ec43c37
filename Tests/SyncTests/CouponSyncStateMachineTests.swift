import Coupons
import Storage
import StrictJSON
import Sync
import TestSupport
import Testing
import WeChat

/// The sync rules alone: events in, actions out, no database and no WeChat.
@Suite struct CouponSyncStateMachineTests {
    typealias Machine = CouponSyncStateMachine
    let backoff = Backoff(first: 2, maximum: 600, keptShare: { 1 })
    let refusal = WeChatError(code: 9_401_020, message: "coupon info invalid")

    func stored(wechatStatus: Int? = nil, syncState: SyncState = .pending, body: String = "{}") -> CouponRecord {
        var record = CouponRecord(coupon: try! Coupon.example("c1"), createdBy: nil, now: 1)
        record.wechatStatus = wechatStatus
        record.syncState = syncState
        if body != "{}" { record.body = body }
        return record
    }

    func change(_ kind: CouponChange.Kind, status: Int? = nil, attempts: Int = 0, userCoupon: UserCouponRecord? = nil) -> CouponChange {
        CouponChange(id: 7, kind: kind, status: status, userCoupon: userCoupon, attempts: attempts, requestedBy: "ann", requestedAt: 1)
    }

    @Test func aNewCouponIsAddedThenReadAndSettledAsSynced() {
        let coupon = stored()
        var (machine, action) = Machine.start(coupon, previousAttempts: 0, backoff: backoff)
        #expect(action == .call(.addCoupon))
        action = machine.answered(nil)
        #expect(action == .call(.getCoupon))
        let wechat = WeChatClient.CouponState(status: 1, createTime: 10, updateTime: 11)
        action = machine.answered(wechat)
        #expect(action == .recordCoupon(
            endpoint: .add, errcode: 0, failure: nil, outcome: .synced(status: .notActive, createTime: 10, updateTime: 11), wechatBody: coupon.body
        ))
        let synced = stored(wechatStatus: 1, syncState: .synced)
        #expect(machine.recordedCoupon(synced) == .finish(.synced(synced)))
    }

    @Test func afterAnAttemptThatMayHaveReachedWeChatItIsAskedFirstAndNotAddedAgain() {
        var (machine, action) = Machine.start(stored(), previousAttempts: 1, backoff: backoff)
        #expect(action == .call(.getCoupon))
        action = machine.answered(WeChatClient.CouponState(status: 1))
        guard case .recordCoupon(.get, 0, nil, .synced(.notActive, nil, nil), _) = action else {
            Issue.record("expected the coupon recorded as synced from get, got \(action)")
            return
        }
    }

    @Test func whenWeChatHasNoSuchCouponAfterAnUnansweredAttemptItIsAdded() {
        var (machine, _) = Machine.start(stored(), previousAttempts: 2, backoff: backoff)
        let action = machine.failed(.refused(WeChatError(code: 9_401_021, message: "no such coupon")), now: 100)
        #expect(action == .call(.addCoupon))
    }

    @Test func aFailureLeavesTheCouponPendingForTheBackoffOfItsAttemptNumber() {
        for (previous, delay) in [(0, 2.0), (1, 4.0), (2, 8.0), (9, 600.0)] {
            var (machine, _) = Machine.start(stored(), previousAttempts: previous, backoff: backoff)
            if previous > 0 { _ = machine.failed(.refused(WeChatError(code: 9_401_021, message: "no such coupon")), now: 1000) }
            let action = machine.failed(.unreachable("timeout"), now: 1000)
            let reason = WeChatCallError.unreachable("timeout").description
            #expect(action == .recordCoupon(
                endpoint: .add, errcode: nil, failure: reason, outcome: .pending(reason: reason, retryAt: 1000 + delay), wechatBody: nil
            ), "after \(previous) attempts")
        }
    }

    @Test func busyWeChatIsRecordedWithItsErrcode() {
        var (machine, _) = Machine.start(stored(), previousAttempts: 0, backoff: backoff)
        let busy = WeChatCallError.refused(WeChatError(code: -1, message: "system busy"))
        guard case .recordCoupon(.add, -1, _, .pending(_, 1002), nil) = machine.failed(busy, now: 1000) else {
            Issue.record("busy is not a refusal")
            return
        }
    }

    @Test func pausedCallsWaitUntilThePauseEnds() {
        var (machine, _) = Machine.start(stored(), previousAttempts: 0, backoff: backoff)
        let pause = CallPause(cause: WeChatError(code: 45009, message: "quota"), until: 5000)
        guard case .recordCoupon(_, 45009, _, .pending(_, let retryAt), _) = machine.failed(.paused(pause), now: 1000) else {
            Issue.record("a paused call leaves the coupon pending")
            return
        }
        #expect(retryAt == 5000)
    }

    @Test func aRefusalWeChatWouldRepeatRejectsTheCoupon() {
        var (machine, _) = Machine.start(stored(), previousAttempts: 0, backoff: backoff)
        let action = machine.failed(.refused(refusal), now: 1000)
        #expect(action == .recordCoupon(
            endpoint: .add, errcode: refusal.code, failure: refusal.description, outcome: .rejected(reason: "9401020 coupon info invalid"), wechatBody: nil
        ))
        let rejected = stored(syncState: .rejected)
        #expect(machine.recordedCoupon(rejected) == .finish(.rejected(rejected, refusal)))
    }

    @Test func changesQueuedDuringTheAddAreSentOnceWeChatHasTheCoupon() {
        var (machine, _) = Machine.start(stored(), previousAttempts: 3, backoff: backoff)
        _ = machine.answered(WeChatClient.CouponState(status: 1))
        #expect(machine.recordedCoupon(stored(wechatStatus: 1, syncState: .pending)) == .readNextChange)
        // With WeChat's copy just read, a status change is sent without asking first.
        let activate = change(.updateStatus, status: 2)
        #expect(machine.readChange(activate) == .call(.send(activate, body: stored().body)))
        #expect(machine.answered(nil) == .recordChange(activate, errcode: 0, failure: nil, result: .sent(sentBody: nil)))
        let synced = stored(wechatStatus: 2, syncState: .synced)
        #expect(machine.recordedChange(synced, moreToSend: false) == .finish(.synced(synced)))
    }

    @Test func aCouponWeChatHasGoesStraightToItsQueue() {
        let (_, action) = Machine.start(stored(wechatStatus: 1), previousAttempts: 0, backoff: backoff)
        #expect(action == .readNextChange)
    }

    @Test func anEmptyQueueFinishesWithTheCouponAsStored() {
        var (machine, _) = Machine.start(stored(wechatStatus: 1, syncState: .synced), previousAttempts: 0, backoff: backoff)
        #expect(machine.readChange(nil) == .finish(.synced(stored(wechatStatus: 1, syncState: .synced))))
        var (waiting, _) = Machine.start(stored(wechatStatus: 1, syncState: .rejected), previousAttempts: 0, backoff: backoff)
        #expect(waiting.readChange(nil) == .finish(.pending(stored(wechatStatus: 1, syncState: .rejected), reason: "rejected before")))
    }

    @Test func aStatusChangeTriedBeforeIsNotSentAgainWhenWeChatAlreadyHasIt() {
        var (machine, _) = Machine.start(stored(wechatStatus: 1), previousAttempts: 0, backoff: backoff)
        let activate = change(.updateStatus, status: 2, attempts: 1)
        #expect(machine.readChange(activate) == .call(.getCoupon))
        #expect(machine.answered(WeChatClient.CouponState(status: 2)) == .recordChange(activate, errcode: 0, failure: nil, result: .sent(sentBody: nil)))

        var (other, _) = Machine.start(stored(wechatStatus: 1), previousAttempts: 0, backoff: backoff)
        _ = other.readChange(activate)
        #expect(other.answered(WeChatClient.CouponState(status: 1)) == .call(.send(activate, body: stored().body)))
    }

    @Test func anUpdateRecordsTheBodyItSent() {
        let coupon = stored(wechatStatus: 1, body: #"{"v":2}"#)
        var (machine, _) = Machine.start(coupon, previousAttempts: 0, backoff: backoff)
        let update = change(.update)
        #expect(machine.readChange(update) == .call(.send(update, body: coupon.body)))
        #expect(machine.answered(nil) == .recordChange(update, errcode: 0, failure: nil, result: .sent(sentBody: coupon.body)))
    }

    @Test func aChangeThatFailsWaitsTheBackoffOfItsOwnAttempts() {
        var (machine, _) = Machine.start(stored(wechatStatus: 2), previousAttempts: 0, backoff: backoff)
        let stock = change(.updateCouponStock, attempts: 2)
        _ = machine.readChange(stock)
        let reason = WeChatCallError.unreachable("reset").description
        #expect(machine.failed(.unreachable("reset"), now: 50) == .recordChange(
            stock, errcode: nil, failure: reason, result: .pending(reason: reason, retryAt: 58)
        ))
        let waiting = stored(wechatStatus: 2, syncState: .pending)
        #expect(machine.recordedChange(waiting, moreToSend: false) == .finish(.pending(waiting, reason: "more to send")))
    }

    @Test func aRefusedCouponChangeRejectsTheCouponButARefusedUserCouponChangeOnlyItsUserCoupon() {
        var (machine, _) = Machine.start(stored(wechatStatus: 2), previousAttempts: 0, backoff: backoff)
        let stock = change(.updateCouponStock)
        _ = machine.readChange(stock)
        #expect(machine.failed(.refused(refusal), now: 1) == .recordChange(
            stock, errcode: refusal.code, failure: refusal.description, result: .rejected(reason: "9401020 coupon info invalid")
        ))
        let rejected = stored(wechatStatus: 2, syncState: .rejected)
        #expect(machine.recordedChange(rejected, moreToSend: false) == .finish(.rejected(rejected, refusal)))

        let user = UserCouponRecord(
            id: 1, outUserCouponID: "u1", openID: "o1", outCouponID: "c1", status: 100, receiveTime: 1, useTime: nil, syncState: .pending,
            syncError: nil, createdBy: nil, createdAt: 1, updatedAt: 1
        )
        var (other, _) = Machine.start(stored(wechatStatus: 2), previousAttempts: 0, backoff: backoff)
        let claim = change(.addUserCoupon, status: 100, userCoupon: user)
        _ = other.readChange(claim)
        _ = other.failed(.refused(refusal), now: 1)
        // The queue goes on, and the coupon ends synced.
        let synced = stored(wechatStatus: 2, syncState: .synced)
        #expect(other.recordedChange(synced, moreToSend: true) == .readNextChange)
        #expect(other.readChange(nil) == .finish(.synced(synced)))
    }

    @Test func anEventTheStateDoesNotExpectEndsTheAttemptPending() {
        var (machine, _) = Machine.start(stored(), previousAttempts: 0, backoff: backoff)
        guard case .finish(.pending(_, let reason)) = machine.recordedChange(stored(), moreToSend: true) else {
            Issue.record("an unexpected event must end the attempt")
            return
        }
        #expect(reason.contains("sync stopped"))
    }
}

@Suite struct BackoffTests {
    @Test func theDelayDoublesFromTheFirstUpToTheMaximum() {
        let backoff = Backoff(first: 2, maximum: 60, keptShare: { 1 })
        #expect((1...8).map(backoff.delay(afterAttempts:)) == [2, 4, 8, 16, 32, 60, 60, 60])
        #expect(backoff.delay(afterAttempts: 10_000) == 60)
    }

    @Test func upToAQuarterIsTakenOffAtRandom() {
        let backoff = Backoff(first: 2, maximum: 60)
        for (attempts, base) in [(1, 2.0), (2, 4.0), (3, 8.0), (6, 60.0), (40, 60.0)] {
            let delays = (0..<100).map { _ in backoff.delay(afterAttempts: attempts) }
            #expect(delays.allSatisfy { (base * 0.75...base).contains($0) }, "after \(attempts)")
            #expect(Set(delays).count > 1)
        }
    }
}

extension Coupon {
    static func example(_ id: String) throws -> Coupon {
        try Coupon.decode(requestBody: try JSONParser.parse(Array(WeChatExample.directReduction(id: id).utf8)))
    }
}
