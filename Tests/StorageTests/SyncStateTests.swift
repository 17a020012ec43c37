import Coupons
import Testing
@testable import Storage

/// What a sync attempt does to a stored coupon: recorded, moved to synced, rejected or pending, claimed by one process.
@Suite struct SyncStateTests {
    func due(_ database: AppDatabase, now: Double, ignoringBackoff: Bool = false, afterRow: Int64 = 0) throws -> [String] {
        try database.coupons.couponsDueForSync(now: now, limit: 10, afterRow: afterRow, ignoringBackoff: ignoringBackoff).map(\.outCouponID)
    }

    func attempt(_ at: Double, errcode: Int? = nil, failure: String? = nil) -> SyncAttempt {
        .init(at: at, endpoint: "/shop/coupon/add", errcode: errcode, failure: failure, durationMilliseconds: 12.5)
    }

    @Test func attemptsAreKeptAndTheOutcomeMovesTheCoupon() async throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        _ = try database.coupons.createCoupon(coupon("c1"), now: 1)

        let pending = try #require(try await database.coupons.recordSync(
            outCouponID: "c1", attempt: attempt(10, failure: "timed out"), outcome: .pending(reason: "timed out", retryAt: 40), now: 10))
        #expect(pending.syncState == .pending && pending.syncError == "timed out")
        #expect(try due(database, now: 39) == [])
        #expect(try due(database, now: 40) == ["c1"])

        let synced = try #require(try await database.coupons.recordSync(
            outCouponID: "c1", attempt: attempt(40, errcode: 0), outcome: .synced(status: .notActive, createTime: 41, updateTime: 42), now: 40))
        #expect(synced.syncState == .synced && synced.syncError == nil)
        #expect(synced.wechatStatus == 1 && synced.wechatCreateTime == 41 && synced.wechatUpdateTime == 42 && synced.updatedAt == 40)
        #expect(try due(database, now: 1000) == [])

        let attempts = try database.coupons.syncAttempts(outCouponID: "c1")
        #expect(attempts == [attempt(10, failure: "timed out"), attempt(40, errcode: 0)])
        #expect(try await database.coupons.recordSync(outCouponID: "nope", attempt: attempt(1), outcome: .rejected(reason: "x"), now: 1) == nil)
    }

    @Test func onlyTheNewestAttemptsAreKeptWhileAllAreCounted() async throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try AppDatabase(path: file.path, syncAttemptsKept: 3)
        _ = try database.coupons.createCoupon(coupon("c1"), now: 1)
        _ = try database.coupons.createCoupon(coupon("c2"), now: 1)
        for at in 10...17 {
            try await database.coupons.recordSync(
                outCouponID: "c1", attempt: attempt(Double(at), failure: "timed out"), outcome: .pending(reason: "timed out", retryAt: 0), now: at)
        }
        try await database.coupons.recordSync(outCouponID: "c2", attempt: attempt(20, failure: "x"), outcome: .pending(reason: "x", retryAt: 0), now: 20)

        #expect(try database.coupons.syncAttempts(outCouponID: "c1").map(\.at) == [15, 16, 17], "the newest three, oldest first")
        #expect(try database.coupons.coupon(outCouponID: "c1")?.syncAttemptsTotal == 8)
        #expect(try database.coupons.syncAttempts(outCouponID: "c2").map(\.at) == [20], "another coupon's attempts are its own")
        // The backoff goes by every attempt made, not by those kept.
        #expect(try await database.coupons.claimSync(outCouponID: "c1", holder: "a", now: 100, lease: 30) == 8)
    }

    @Test func aRejectedCouponKeepsItsReasonAndIsNotRetried() async throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        _ = try database.coupons.createCoupon(coupon("c1"), now: 1)
        let rejected = try #require(try await database.coupons.recordSync(
            outCouponID: "c1", attempt: attempt(5, errcode: 1_090_011, failure: "商品券缺少商品"), outcome: .rejected(reason: "1090011 商品券缺少商品"), now: 5))
        #expect(rejected.syncState == .rejected && rejected.syncError == "1090011 商品券缺少商品")
        #expect(try due(database, now: 1000) == [])
        #expect(try await database.coupons.claimSync(outCouponID: "c1", holder: "a", now: 6, lease: 30) == nil)
    }

    @Test func oneProcessAtATimeSyncsACoupon() async throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let first = try file.open()
        let second = try file.open()
        _ = try first.coupons.createCoupon(coupon("c1"), now: 1)
        #expect(try await first.coupons.claimSync(outCouponID: "c1", holder: "worker-1", now: 100, lease: 30) == 0)
        #expect(try await second.coupons.claimSync(outCouponID: "c1", holder: "worker-2", now: 110, lease: 30) == nil)
        #expect(try due(second, now: 110) == [])
        #expect(try await first.coupons.claimSync(outCouponID: "c1", holder: "worker-1", now: 110, lease: 30) == nil)
        // A claim left by a killed process runs out; its attempt may have reached WeChat, so it counts.
        #expect(try await second.coupons.claimSync(outCouponID: "c1", holder: "worker-2", now: 130, lease: 30) == 1)
        // Recording the outcome ends the holder's claim.
        try await second.coupons.recordSync(outCouponID: "c1", attempt: attempt(131), outcome: .pending(reason: "busy", retryAt: 140), holder: "worker-2", now: 131)
        // The claim answers how many attempts came before.
        #expect(try await first.coupons.claimSync(outCouponID: "c1", holder: "worker-1", now: 141, lease: 30) == 1)
    }

    @Test func aCouponStoredWithAClaimIsNobodyElsesUntilTheClaimEnds() async throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let worker = try file.open()
        let other = try file.open()
        let claim = SyncClaim(holder: "worker-1", until: 130)
        guard case .created = try worker.coupons.createCoupon(coupon("c1"), now: 100, claimingSync: claim) else { Issue.record("not created"); return }
        #expect(try due(other, now: 129) == [])
        #expect(try await other.coupons.claimSync(outCouponID: "c1", holder: "worker-2", now: 129, lease: 30) == nil)
        // A retry of the same create takes no claim of its own: once worker-1's claim ends, the coupon is due.
        guard case .alreadyStored = try other.coupons.createCoupon(coupon("c1"), now: 101, claimingSync: .init(holder: "worker-2", until: 500)) else {
            Issue.record("not a retry")
            return
        }
        try await worker.coupons.recordSync(outCouponID: "c1", attempt: attempt(101), outcome: .pending(reason: "busy", retryAt: 110), holder: "worker-1", now: 101)
        #expect(try due(other, now: 110) == ["c1"])
        #expect(try await other.coupons.claimSync(outCouponID: "c1", holder: "worker-2", now: 110, lease: 30) == 1)
        // A claim the creating process never ended (it was killed) runs out, and counts as an attempt.
        _ = try worker.coupons.createCoupon(coupon("c2"), now: 100, claimingSync: claim)
        #expect(try await other.coupons.claimSync(outCouponID: "c2", holder: "worker-2", now: 130, lease: 30) == 1)
    }

    @Test func aRejectedCouponCanBeQueuedAgainButASyncedOneCannot() async throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        _ = try database.coupons.createCoupon(coupon("c1"), now: 1)
        _ = try database.coupons.createCoupon(coupon("c2"), now: 1)
        try await database.coupons.recordSync(outCouponID: "c1", attempt: attempt(5, errcode: 48001), outcome: .rejected(reason: "48001 api unauthorized"), now: 5)
        try await database.coupons.recordSync(outCouponID: "c2", attempt: attempt(5, errcode: 0), outcome: .synced(status: .notActive, createTime: 5, updateTime: 5), now: 5)
        #expect(try database.coupons.requeueSync(outCouponID: "c1", actor: "erp", now: 6))
        #expect(try !database.coupons.requeueSync(outCouponID: "c2", actor: "erp", now: 6))
        #expect(try !database.coupons.requeueSync(outCouponID: "nope", actor: "erp", now: 6))
        #expect(try due(database, now: 6) == ["c1"])
        #expect(try database.coupons.coupon(outCouponID: "c1")?.syncState == SyncState.pending)
    }

    @Test func aPassByHandIgnoresTheBackoffAndPagesByRow() async throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        for id in ["c1", "c2", "c3"] {
            _ = try database.coupons.createCoupon(coupon(id), now: 1)
            try await database.coupons.recordSync(outCouponID: id, attempt: attempt(2, failure: "down"), outcome: .pending(reason: "down", retryAt: 100), now: 2)
        }
        #expect(try due(database, now: 50) == [])
        let all = try database.coupons.couponsDueForSync(now: 50, limit: 2, ignoringBackoff: true)
        #expect(all.map(\.outCouponID) == ["c1", "c2"])
        #expect(try due(database, now: 50, ignoringBackoff: true, afterRow: all[1].row) == ["c3"])
    }

    @Test func anAttemptWithoutOutcomeIsRecordedAndLeavesTheStateAlone() async throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        _ = try database.coupons.createCoupon(coupon("c1"), now: 1)
        try await database.coupons.recordSync(outCouponID: "c1", attempt: attempt(3, errcode: 0), outcome: .synced(status: .active, createTime: 3, updateTime: 3), now: 3)
        let unchanged = try #require(try await database.coupons.recordSync(outCouponID: "c1", attempt: attempt(9, failure: "timed out"), outcome: nil, now: 9))
        #expect(unchanged.syncState == .synced && unchanged.wechatStatus == 2 && unchanged.updatedAt == 3)
        let (record, attempts, _) = try #require(try database.coupons.couponWithAttemptsAndChanges(outCouponID: "c1"))
        #expect(record == unchanged)
        #expect(attempts == [attempt(3, errcode: 0), attempt(9, failure: "timed out")])
        #expect(try database.coupons.couponWithAttemptsAndChanges(outCouponID: "nope") == nil)
    }
}
