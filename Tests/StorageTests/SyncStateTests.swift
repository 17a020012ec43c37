import Coupons
import Testing
@testable import Storage

/// What a sync attempt does to a stored coupon: recorded, moved to synced, rejected or pending, claimed by one process.
@Suite struct SyncStateTests {
    func attempt(_ at: Double, errcode: Int? = nil, failure: String? = nil) -> AppDatabase.SyncAttempt {
        .init(at: at, endpoint: "/shop/coupon/add", errcode: errcode, failure: failure, durationMilliseconds: 12.5)
    }

    @Test func attemptsAreKeptAndTheOutcomeMovesTheCoupon() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        _ = try database.createCoupon(coupon("c1"), now: 1)

        let pending = try #require(try database.recordSync(
            outCouponID: "c1", attempt: attempt(10, failure: "timed out"), outcome: .pending(reason: "timed out", retryAt: 40), now: 10))
        #expect(pending.syncState == "pending" && pending.syncError == "timed out")
        #expect(try database.couponsDueForSync(now: 39, limit: 10) == [])
        #expect(try database.couponsDueForSync(now: 40, limit: 10) == ["c1"])

        let synced = try #require(try database.recordSync(
            outCouponID: "c1", attempt: attempt(40, errcode: 0), outcome: .synced(status: .notActive, createTime: 41, updateTime: 42), now: 40))
        #expect(synced.syncState == "synced" && synced.syncError == nil)
        #expect(synced.wechatStatus == 1 && synced.wechatCreateTime == 41 && synced.wechatUpdateTime == 42 && synced.updatedAt == 40)
        #expect(try database.couponsDueForSync(now: 1000, limit: 10) == [])

        let attempts = try database.syncAttempts(outCouponID: "c1")
        #expect(attempts == [attempt(10, failure: "timed out"), attempt(40, errcode: 0)])
        #expect(try database.recordSync(outCouponID: "nope", attempt: attempt(1), outcome: .rejected(reason: "x"), now: 1) == nil)
    }

    @Test func aRejectedCouponKeepsItsReasonAndIsNotRetried() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        _ = try database.createCoupon(coupon("c1"), now: 1)
        let rejected = try #require(try database.recordSync(
            outCouponID: "c1", attempt: attempt(5, errcode: 1_090_011, failure: "商品券缺少商品"), outcome: .rejected(reason: "1090011 商品券缺少商品"), now: 5))
        #expect(rejected.syncState == "rejected" && rejected.syncError == "1090011 商品券缺少商品")
        #expect(try database.couponsDueForSync(now: 1000, limit: 10) == [])
        #expect(try !database.claimSync(outCouponID: "c1", holder: "a", now: 6, lease: 30))
    }

    @Test func oneProcessAtATimeSyncsACoupon() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let first = try file.open()
        let second = try file.open()
        _ = try first.createCoupon(coupon("c1"), now: 1)
        #expect(try first.claimSync(outCouponID: "c1", holder: "worker-1", now: 100, lease: 30))
        #expect(try !second.claimSync(outCouponID: "c1", holder: "worker-2", now: 110, lease: 30))
        #expect(try second.couponsDueForSync(now: 110, limit: 10) == [])
        // A claim left by a killed process runs out.
        #expect(try second.claimSync(outCouponID: "c1", holder: "worker-2", now: 130, lease: 30))
        // Recording the outcome ends the holder's claim.
        try second.recordSync(outCouponID: "c1", attempt: attempt(131), outcome: .pending(reason: "busy", retryAt: 140), holder: "worker-2", now: 131)
        #expect(try first.claimSync(outCouponID: "c1", holder: "worker-1", now: 141, lease: 30))
    }
}
