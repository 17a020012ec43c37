import Coupons
import Foundation
import GRDB
import StrictJSON
import TestSupport
import Synchronization
import Testing
@testable import Storage

/// A database file in a fresh temporary folder; `remove()` when done.
struct TemporaryDatabase {
    let directory: TemporaryDirectory
    var path: String { directory.path("coupons.sqlite") }

    init() throws { directory = try TemporaryDirectory("ca-db") }

    func remove() { directory.remove() }

    func open(durability: AppDatabase.Durability = .full) throws -> AppDatabase {
        try AppDatabase(path: path, durability: durability)
    }
}

func coupon(_ id: String, type: CouponType = .shopDirectReduction, name: String = "Sale", fee: Int = 500) -> Coupon {
    Coupon(
        outCouponID: id, type: type, promoteType: .finder,
        couponInfo: Coupon.Info(
            name: name,
            promoteInfo: Coupon.PromoteInfo(promoteType: .finder, finderNickname: "live"),
            discountInfo: Coupon.DiscountInfo(discountNum: type == .shopFlatDiscount ? 9000 : nil, discountFee: type == .shopFlatDiscount ? nil : fee),
            receiveInfo: Coupon.ReceiveInfo(startTime: 1_800_000_000, endTime: 1_800_100_000, limitNumOnePerson: 1, totalNum: 10),
            validInfo: Coupon.ValidInfo(validType: .days, validDayNum: 3)
        )
    )
}

@Suite struct AppDatabaseTests {
    @Test func aFileInWALModeWithFullSyncByDefault() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        // Asked on the connection that commits: a reader's setting says nothing about writes.
        let (journal, synchronous) = try database.writer.writeWithoutTransaction { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)
        #expect(try database.appliedMigrations() == AppDatabase.migrationNames)
        #expect(FileManager.default.fileExists(atPath: file.path))
        let normal = try file.open(durability: .normal)
        #expect(try normal.writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 1)
    }

    @Test func aDatabaseInMemoryIsMigratedAndServesEveryStoreWithoutAChangeStamp() throws {
        let database = try AppDatabase(inMemory: 3)
        #expect(try database.appliedMigrations() == AppDatabase.migrationNames)
        guard case .created = try database.coupons.createCoupon(coupon("c1"), now: 1) else { Issue.record("not created"); return }
        #expect(try database.read { try $0.coupons(matching: CouponFilter(), limit: 10).records.map(\.outCouponID) } == ["c1"])
        #expect(try database.audit.history(ofCoupon: "c1").map(\.action) == ["coupon.create"])
        #expect(database.changeStamp() == nil, "no answer is kept for a database in memory")
    }

    @Test func aCouponIsStoredPendingAndSurvivesReopening() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let outcome = try file.open().coupons.createCoupon(coupon("c1", name: "示例优惠券 🎉"), createdBy: nil, now: 1_700_000_000)
        guard case .created(let record) = outcome else { Issue.record("\(outcome)"); return }
        #expect(record.id != nil)
        let stored = try #require(try file.open().coupons.coupon(outCouponID: "c1"))
        #expect(stored == record)
        #expect(stored.syncState == .pending)
        #expect(stored.createdAt == 1_700_000_000)
        #expect(try Coupon.decode(try JSONParser.parse(Array(stored.body.utf8))) == coupon("c1", name: "示例优惠券 🎉"))
        #expect(try file.open().coupons.coupon(outCouponID: "c2") == nil)
    }

    @Test func theSameIDIsARetryWithTheSameBodyAndAConflictWithAnother() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        guard case .created(let first) = try database.coupons.createCoupon(coupon("c1"), now: 1) else { Issue.record(); return }
        #expect(try database.coupons.createCoupon(coupon("c1"), now: 2) == .alreadyStored(first))
        #expect(try database.coupons.createCoupon(coupon("c1", fee: 600), now: 3) == .conflict(first))
        #expect(try database.coupons.coupon(outCouponID: "c1") == first)
    }

    @Test func concurrentCreatesOfOneIDStoreItOnce() async throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        let outcomes = try await withThrowingTaskGroup(of: CreateOutcome.self) { group in
            for index in 0..<20 { group.addTask { try database.coupons.createCoupon(coupon("same"), now: index) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { if case .created = $0 { true } else { false } }.count == 1)
        #expect(outcomes.filter { if case .alreadyStored = $0 { true } else { false } }.count == 19)
    }

    @Test func listsAreNewestFirstFilteredAndPagedStably() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        for index in 1...25 {
            _ = try database.coupons.createCoupon(coupon("c\(index)", type: index % 2 == 0 ? .shopFlatDiscount : .shopDirectReduction, name: "Sale \(index)"), now: index)
        }
        let first = try database.coupons.coupons(matching: .init(), limit: 10)
        #expect(first.records.map(\.outCouponID) == (16...25).reversed().map { "c\($0)" })
        // Coupons added between pages do not shift the later pages.
        _ = try database.coupons.createCoupon(coupon("late"), now: 99)
        let second = try database.coupons.coupons(matching: .init(), limit: 10, before: first.nextBefore)
        #expect(second.records.map(\.outCouponID) == (6...15).reversed().map { "c\($0)" })
        let third = try database.coupons.coupons(matching: .init(), limit: 10, before: second.nextBefore)
        #expect(third.records.map(\.outCouponID) == (1...5).reversed().map { "c\($0)" })
        #expect(third.nextBefore == nil)

        let flat = try database.coupons.coupons(matching: .init(type: .shopFlatDiscount), limit: 50)
        #expect(flat.records.count == 12 && flat.records.allSatisfy { $0.type == 103 })
        #expect(try database.coupons.coupons(matching: .init(syncState: .synced), limit: 50).records.isEmpty)
        #expect(try database.coupons.coupons(matching: .init(syncState: .pending), limit: 50).records.count == 26)
        #expect(try database.coupons.coupons(matching: .init(status: .active), limit: 50).records.isEmpty)
        #expect(try database.coupons.coupons(matching: .init(text: "Sale 2"), limit: 50).records.map(\.outCouponID) == ["c25", "c24", "c23", "c22", "c21", "c20", "c2"])
        #expect(try database.coupons.coupons(matching: .init(text: "c1"), limit: 50).records.count == 11)
        #expect(try database.coupons.coupons(matching: .init(text: "LATE"), limit: 50).records.map(\.outCouponID) == ["late"])
        #expect(try database.coupons.coupons(matching: .init(text: "%"), limit: 50).records.isEmpty)
        #expect(try database.coupons.coupons(matching: .init(text: "_"), limit: 50).records.isEmpty)
    }

    @Test func pooledReadersSeeEveryCommitAndWaitTheirTurn() async throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try AppDatabase(path: file.path, maximumReaders: 2)
        #expect(try database.coupons.coupon(outCouponID: "later") == nil)  // opens a reader
        _ = try database.coupons.createCoupon(coupon("later"), now: 1)
        #expect(try database.coupons.coupon(outCouponID: "later") != nil)  // the same reader, a newer commit
        // Another connection writing to the file, as another worker process would: its commits show too.
        _ = try file.open().coupons.createCoupon(coupon("other-process"), now: 2)
        #expect(try database.coupons.coupon(outCouponID: "other-process") != nil)
        // Twenty readers at once over two connections.
        let found = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 { group.addTask { try database.coupons.coupon(outCouponID: "later") != nil } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(found == 20)
    }

    @Test func aReadWaitsWhileEveryReaderIsTakenAndTakesTheFirstOneFreed() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try AppDatabase(path: file.path, maximumReaders: 2)
        let holding = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        for _ in 0..<2 {
            Thread { _ = try? database.read { _ in holding.signal(); release.wait() } }.start()
        }
        holding.wait()
        holding.wait()
        let third = DispatchSemaphore(value: 0)
        Thread { _ = try? database.read { _ in }; third.signal() }.start()
        #expect(third.wait(timeout: .now() + 0.3) == .timedOut, "both readers are taken")
        release.signal()
        #expect(third.wait(timeout: .now() + 10) == .success, "the third read takes the reader freed")
        release.signal()
    }

    @Test func readersAreTakenInTurn() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try AppDatabase(path: file.path, maximumReaders: 4)
        for _ in 0..<4 { _ = try database.coupons.coupon(outCouponID: "c1") }
        #expect(database.readers.pool?.openedCount == 4, "one read after another still goes round every reader")
    }

    @Test func manyThreadsTakeTurnsAtFewReaders() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try AppDatabase(path: file.path, maximumReaders: 3)
        _ = try database.coupons.createCoupon(coupon("c1"), now: 1)
        let threads = 16, readsEach = 300
        let found = Atomic<Int>(0), done = DispatchGroup()
        for _ in 0..<threads {
            done.enter()
            Thread {
                for _ in 0..<readsEach where (try? database.coupons.coupon(outCouponID: "c1")) != nil { found.add(1, ordering: .relaxed) }
                done.leave()
            }.start()
        }
        // A wake-up lost while every reader is taken would leave a thread waiting for ever.
        #expect(done.wait(timeout: .now() + 120) == .success)
        #expect(found.load(ordering: .relaxed) == threads * readsEach)
    }

    @Test func aReadSeesOneSnapshotThroughout() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        _ = try database.coupons.createCoupon(coupon("before"), now: 1)
        let count = "SELECT COUNT(*) FROM coupon"
        let (first, second) = try database.readers.read { db in
            let first = try Int.fetchOne(db, sql: count)
            _ = try database.coupons.createCoupon(coupon("meanwhile"), now: 2)  // committed by the writer
            return (first, try Int.fetchOne(db, sql: count))
        }
        #expect(first == 1 && second == 1, "the second statement sees what the first saw")
        #expect(try database.readers.read { db in try Int.fetchOne(db, sql: count) } == 2, "the next read sees the commit")
    }
}
