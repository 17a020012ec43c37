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
        _ = try database.coupons.coupons(matching: .init(), limit: 10, before: nil)
        _ = try other.coupons.couponWithAttemptsAndChanges(outCouponID: "none")
        #expect(database.changeStamp() == first)

        _ = try database.coupons.createCoupon(coupon("c1"), now: 1)
        let second = try #require(database.changeStamp())
        #expect(second != first)
        #expect(other.changeStamp() == second)

        _ = try other.coupons.createCoupon(coupon("c2"), now: 2)
        #expect(database.changeStamp() != second)
    }

    @Test func aCheckpointThatRestartsTheLogStillChangesTheStamp() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        _ = try database.coupons.createCoupon(coupon("c1"), now: 1)
        // The log emptied, the next commit's frames are written from its start again: only the salts differ.
        try database.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let emptied = try #require(database.changeStamp())
        _ = try database.coupons.createCoupon(coupon("c2"), now: 2)
        let refilled = try #require(database.changeStamp())
        try database.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        _ = try database.coupons.createCoupon(coupon("c3"), now: 3)
        #expect(database.changeStamp() != refilled)
        #expect(database.changeStamp() != emptied)
    }

    /// SQLite keeps a shared lock on the `-shm` file for as long as a connection is open; a process that
    /// finds none rebuilds the wal-index under the others. Closing any descriptor of the file in this
    /// process would drop it.
    @Test func sqliteKeepsItsLocksOnTheWALIndexWhileTheStampIsRead() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        try withExtendedLifetime(database) {
            _ = try database.coupons.createCoupon(coupon("c1"), now: 1)
            #expect(database.changeStamp() != nil)
            let held = try locksHeld(onFile: file.path + "-shm")
            let all = try locksHeld(onFile: nil)
            #expect(!held.isEmpty, "this process's locks: \(all)")
        }
    }

    /// The lines of /proc/locks for this process's POSIX locks on the file at `path` (on any file, nil).
    private func locksHeld(onFile path: String?) throws -> [Substring] {
        var inode = ""
        if let path {
            var status = stat()
            guard stat(path, &status) == 0 else { throw POSIXError(.ENOENT) }
            inode = ":\(status.st_ino) "
        }
        // "1: POSIX  ADVISORY  READ 1234 08:01:5678 128 128": pid, then major:minor:inode.
        let pid = " \(getpid()) "
        return try String(contentsOfFile: "/proc/locks", encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("POSIX") && $0.contains(pid) && $0.contains(inode) }
    }
}

@Suite struct ReaderPageCacheTests {
    @Test func eachReaderKeepsAtMostTheGivenPages() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try AppDatabase(path: file.path, readerPageCacheKiB: 256)
        let size = try database.readers.read { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") }
        #expect(size == -256)
    }
}
