import Coupons
import Foundation
import Storage
import StrictJSON
import Sync
import Synchronization
import TestSupport
import Testing
import WeChat

/// Every sync path carried out against WeChat and a database, both in memory, on a clock the test moves.
@Suite struct InMemoryCouponSyncTests {
    let database: AppDatabase
    let wechat = InMemoryWeChat()
    let clock = TestClock(1_000)
    let sync: CouponSync

    init() throws {
        database = try AppDatabase(inMemory: 20)
        sync = CouponSync(
            store: database.coupons, wechat: wechat, holder: "worker-1", callTimeLimit: .seconds(10), backoff: Backoff(first: 2, maximum: 600, keptShare: { 1 }),
            now: clock.now
        )
    }

    func store(_ id: String) throws {
        _ = try database.coupons.createCoupon(try Coupon.example(id), now: clock.seconds)
    }

    func synced(_ id: String) async throws -> CouponRecord? {
        guard case .synced(let record) = try await sync.sync(outCouponID: id) else { return nil }
        return record
    }

    @Test func aNewCouponIsAddedThenReadOnce() async throws {
        try store("c1")
        let record = try #require(try await synced("c1"))
        #expect(record.syncState == .synced && record.wechatStatus == 1 && record.wechatCreateTime == 100)
        #expect(wechat.calls == ["add", "get"])
        let attempts = try database.coupons.syncAttempts(outCouponID: "c1")
        #expect(attempts.map(\.endpoint) == ["/shop/coupon/add"] && attempts[0].errcode == 0 && attempts[0].at == 1_000)
    }

    @Test func aCouponWaitsItsBackoffAfterEachFailureAndIsAddedOnceWeChatAnswers() async throws {
        try store("c1")
        for (attempt, wait) in [(1, 2.0), (2, 4.0), (3, 8.0)] {
            wechat.failNext(.fail(.unreachable("HTTP 503")))
            guard case .pending(let record, let reason) = try await sync.sync(outCouponID: "c1") else {
                Issue.record("attempt \(attempt) did not leave the coupon pending")
                return
            }
            #expect(record.syncState == .pending && reason.contains("HTTP 503"))
            #expect(try database.coupons.couponsDueForSync(now: clock.now() + wait - 0.001, limit: 10).isEmpty, "attempt \(attempt)")
            #expect(try database.coupons.couponsDueForSync(now: clock.now() + wait, limit: 10).count == 1, "attempt \(attempt)")
            clock.advance(by: wait)
        }
        // The attempts before may have reached WeChat: it is asked first, then given the coupon.
        _ = try #require(try await synced("c1"))
        #expect(wechat.calls == ["add", "get", "get", "get", "add", "get"])
        #expect(try database.coupons.syncAttempts(outCouponID: "c1").count == 4)
    }

    @Test func aCouponWeChatGotWhileItsAnswerWasLostIsFoundNotAddedAgain() async throws {
        try store("c1")
        wechat.failNext(.loseAnswer)
        guard case .pending = try await sync.sync(outCouponID: "c1") else { Issue.record("not pending"); return }
        clock.advance(by: 2)
        let record = try #require(try await synced("c1"))
        #expect(record.wechatStatus == 1)
        #expect(wechat.calls == ["add", "get"])
        #expect(try database.coupons.syncAttempts(outCouponID: "c1").map(\.endpoint) == ["/shop/coupon/add", "/shop/coupon/get"])
    }

    @Test func aRefusalRejectsTheCouponWithWeChatsReasonUntilARetryIsAsked() async throws {
        try store("c1")
        let refusal = WeChatError(code: 9_401_020, message: "coupon info invalid")
        wechat.failNext(.fail(.refused(refusal)))
        guard case .rejected(let record, let error) = try await sync.sync(outCouponID: "c1") else { Issue.record("not rejected"); return }
        #expect(error == refusal && record.syncState == .rejected && record.syncError == "9401020 coupon info invalid")
        #expect(try await sync.sync(outCouponID: "c1").isNotClaimed)
        #expect(try database.coupons.requeueSync(outCouponID: "c1", actor: "ann", now: clock.seconds))
        _ = try #require(try await synced("c1"))
    }

    @Test func pausedCallsLeaveTheCouponUntilThePauseEnds() async throws {
        try store("c1")
        let pause = CallPause(cause: WeChatError(code: 45009, message: "reach max api daily quota limit"), until: 5_000)
        wechat.failNext(.fail(.paused(pause)))
        guard case .pending = try await sync.sync(outCouponID: "c1") else { Issue.record("not pending"); return }
        #expect(try database.coupons.couponsDueForSync(now: 4_999, limit: 10).isEmpty)
        #expect(try database.coupons.couponsDueForSync(now: 5_000, limit: 10).count == 1)
    }

    @Test func aCouponAnotherProcessHoldsIsLeftToIt() async throws {
        try store("c1")
        _ = try #require(try await database.coupons.claimSync(outCouponID: "c1", holder: "worker-2", now: clock.now(), lease: 60))
        #expect(try await sync.sync(outCouponID: "c1").isNotClaimed)
        #expect(wechat.calls.isEmpty)
        // Once its claim runs out (its process died), the coupon is taken over, and WeChat asked first.
        clock.advance(by: 60)
        _ = try #require(try await synced("c1"))
        #expect(wechat.calls == ["get", "add", "get"])
    }

    @Test func queuedChangesAreSentInOrderAndSettleTheCouponAsSynced() async throws {
        try store("c1")
        _ = try #require(try await synced("c1"))
        #expect(try database.coupons.requestStatus(.active, outCouponID: "c1", by: "ann", now: clock.seconds).isQueued)
        #expect(try database.coupons.requestStock(issuedNum: 50, receiveNum: 0, outCouponID: "c1", by: "ann", now: clock.seconds).isQueued)
        let record = try #require(try await synced("c1"))
        #expect(record.wechatStatus == 2 && record.status == 2)
        // An attempt was made before, so WeChat is asked first whether the status change is made already.
        #expect(wechat.calls == ["add", "get", "get", "update_status", "update_coupon_stock"])
        #expect(try database.coupons.changes(outCouponID: "c1").allSatisfy { $0.state == .sent })
    }

    @Test func aStatusChangeWhoseAnswerWasLostIsNotSentAgain() async throws {
        try store("c1")
        _ = try #require(try await synced("c1"))
        _ = try database.coupons.requestStatus(.active, outCouponID: "c1", by: "ann", now: clock.seconds)
        wechat.failNext(.answer, .loseAnswer)
        guard case .pending = try await sync.sync(outCouponID: "c1") else { Issue.record("not pending"); return }
        clock.advance(by: 2)
        _ = try #require(try await synced("c1"))
        #expect(wechat.calls == ["add", "get", "get", "update_status", "get"])
        #expect(wechat.status(of: "c1") == 2)
    }

    @Test func anEditMadeWhileTheCouponWasAddedIsSentAsAnUpdate() async throws {
        try store("c1")
        let claim = sync.newClaim()
        let edited = try Coupon.decode(requestBody: try JSONParser.parse(Array(WeChatExample.directReduction(id: "c1", name: "改名").utf8)))
        let first = try #require(try database.coupons.coupon(outCouponID: "c1"))
        _ = claim
        #expect(try database.coupons.editCoupon(edited, by: "ann", now: clock.seconds).isQueued)
        // The attempt began with the first body; WeChat gets it with add, then the edit with update.
        guard case .synced = try await sync.syncNew(first) else { Issue.record("not synced"); return }
        #expect(wechat.calls == ["add", "get", "update"])
        #expect(wechat.body(of: "c1") == Array(try #require(try database.coupons.coupon(outCouponID: "c1")).body.utf8))
    }

    @Test func aRefusedChangeRejectsTheCouponAndTheQueueWaits() async throws {
        try store("c1")
        _ = try #require(try await synced("c1"))
        _ = try database.coupons.requestStatus(.active, outCouponID: "c1", by: "ann", now: clock.seconds)
        _ = try database.coupons.requestStock(issuedNum: 5, receiveNum: 0, outCouponID: "c1", by: "ann", now: clock.seconds)
        wechat.failNext(.answer, .fail(.refused(WeChatError(code: 9_401_030, message: "status not allowed"))))
        guard case .rejected(let record, _) = try await sync.sync(outCouponID: "c1") else { Issue.record("not rejected"); return }
        #expect(record.syncState == .rejected)
        #expect(try database.coupons.changes(outCouponID: "c1").map(\.state) == [.rejected, .pending])
        #expect(wechat.calls == ["add", "get", "get", "update_status"])
    }

    @Test func aPassSyncsTheDueCouponsAndStopsWhileCallsArePaused() async throws {
        for index in 1...3 { try store("c\(index)") }
        wechat.failNext(.fail(.unreachable("HTTP 503")))
        _ = try await sync.sync(outCouponID: "c1")
        let summary = try await SyncLoop(sync: sync).pass()
        #expect(summary.synced == 2 && summary.tried == 2)
        let pause = CallPause(cause: WeChatError(code: 40125, message: "invalid appsecret"), until: 9_000)
        wechat.pauseCalls(pause)
        clock.advance(by: 2)
        let paused = try await SyncLoop(sync: sync).pass()
        #expect(paused.pausedBy == pause && paused.tried == 0)
        wechat.pauseCalls(nil)
        #expect(try await SyncLoop(sync: sync).pass().synced == 1)
    }

    @Test func aRefreshStoresWeChatsStatusAndAFailedOneChangesNothing() async throws {
        try store("c1")
        _ = try #require(try await synced("c1"))
        wechat.failNext(.fail(.unreachable("timeout")))
        guard case .failure = try #require(try await sync.refresh(outCouponID: "c1", by: "ann")) else { Issue.record("not a failure"); return }
        #expect(try database.coupons.coupon(outCouponID: "c1")?.wechatStatus == 1)
        guard case .success(let record) = try #require(try await sync.refresh(outCouponID: "c1", by: "ann")) else { Issue.record("not refreshed"); return }
        #expect(record.wechatStatus == 1 && record.syncState == .synced)
        #expect(try database.coupons.syncAttempts(outCouponID: "c1").count == 3)
        #expect(try await sync.refresh(outCouponID: "nope", by: "ann") == nil)
    }
}

/// Unix seconds that move only when a test moves them.
final class TestClock: Sendable {
    private let current: Mutex<Double>

    init(_ start: Double) { current = Mutex(start) }

    var now: @Sendable () -> Double { { [self] in current.withLock { $0 } } }
    var seconds: Int { Int(current.withLock { $0 }) }
    func advance(by seconds: Double) { current.withLock { $0 += seconds } }
}

extension CouponSync.Result {
    var isNotClaimed: Bool { if case .notClaimed = self { true } else { false } }
}

extension ChangeOutcome {
    var isQueued: Bool { if case .queued = self { true } else { false } }
}
