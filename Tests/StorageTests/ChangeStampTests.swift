import Foundation
import GRDB
import TestSupport
import Testing
@testable import Storage

@Suite struct ChangeStampTests {
    @Test func theStampHoldsWhileNothingIsCommittedAndChangesWithEveryCommitOfAnyConnection() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        let other = try file.open()  // other connections to the same file, as another process has
        let first = try #require(database.changeStamp())
        _ = try database.coupons(matching: .init(), limit: 10, before: nil)
        _ = try other.couponWithAttemptsAndChanges(outCouponID: "none")
        #expect(database.changeStamp() == first)

        _ = try database.createCoupon(coupon("c1"), now: 1)
        let second = try #require(database.changeStamp())
        #expect(second != first)
        #expect(other.changeStamp() == second)

        _ = try other.createCoupon(coupon("c2"), now: 2)
        #expect(database.changeStamp() != second)
    }

    @Test func aCheckpointThatRestartsTheLogStillChangesTheStamp() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        _ = try database.createCoupon(coupon("c1"), now: 1)
        // The log emptied, the next commit's frames are written from its start again: only the salts differ.
        try database.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let emptied = try #require(database.changeStamp())
        _ = try database.createCoupon(coupon("c2"), now: 2)
        let refilled = try #require(database.changeStamp())
        try database.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        _ = try database.createCoupon(coupon("c3"), now: 3)
        #expect(database.changeStamp() != refilled)
        #expect(database.changeStamp() != emptied)
    }

    @Test func aDatabaseNotInWALModeHasNoStamp() throws {
        let directory = try TemporaryDirectory("ca-stamp")
        defer { directory.remove() }
        let path = directory.path("plain.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "CREATE TABLE t (x)") }
        #expect(WALIndexHeader(databasePath: path) == nil)
    }
}

@Suite struct ReaderPageCacheTests {
    @Test func eachReaderKeepsAtMostTheGivenPages() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try AppDatabase(path: file.path, readerPageCacheKiB: 256)
        let size = try database.read { snapshot in try Int.fetchOne(snapshot.db, sql: "PRAGMA cache_size") }
        #expect(size == -256)
    }
}
