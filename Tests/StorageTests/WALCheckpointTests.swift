import Foundation
import GRDB
import Synchronization
import Testing
@testable import Storage

@Suite struct WALCheckpointTests {
    /// Two readers take turns so that one of them is always inside a read transaction, as the worker's
    /// readers are under load, while about 40 MB of pages are committed.
    @Test func theLogStaysBoundedWhileReadersAlwaysOverlap() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open(durability: .normal)
        try database.writer.write { try $0.execute(sql: "CREATE TABLE filler (x BLOB)") }

        let stopping = Atomic<Bool>(false)
        let readersRunning = Atomic<Int>(0)
        for offset in [0, 3] {
            readersRunning.add(1, ordering: .sequentiallyConsistent)
            let reader = try DatabaseQueue(path: file.path)
            Thread.detachNewThread {
                usleep(UInt32(offset * 1000))
                while !stopping.load(ordering: .sequentiallyConsistent) {
                    try? reader.read { db in
                        _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM filler")
                        usleep(6000)
                    }
                }
                readersRunning.subtract(1, ordering: .sequentiallyConsistent)
            }
        }
        var largest = 0
        for _ in 0..<400 {
            try database.writer.write { try $0.execute(sql: "INSERT INTO filler VALUES (randomblob(100000))") }
            largest = max(largest, walSize(file))
        }
        stopping.store(true, ordering: .sequentiallyConsistent)
        while readersRunning.load(ordering: .sequentiallyConsistent) > 0 { usleep(1000) }
        try database.writer.write { try $0.execute(sql: "INSERT INTO filler VALUES (1)") }

        #expect(largest < 16 << 20, "the -wal file reached \(largest) bytes")
        #expect(walSize(file) <= WALCheckpoints.sizeLimit, "the -wal file ended at \(walSize(file)) bytes")
    }

    private func walSize(_ file: TemporaryDatabase) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: file.path + "-wal"))?[.size] as? Int) ?? 0
    }
}

@Suite struct ReaderTurnTests {
    @Test func whileNobodyReadsNoReadBeginsAndThoseWaitingGoOnAfter() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        let inside = Atomic<Bool>(false), readDuringTurn = Atomic<Bool>(false), readDone = Atomic<Bool>(false)
        let ran = try #require(database.readers.pool).whileNobodyReads(patience: 1) {
            inside.store(true, ordering: .sequentiallyConsistent)
            Thread.detachNewThread {
                _ = try? database.readers.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
                readDuringTurn.store(inside.load(ordering: .sequentiallyConsistent), ordering: .sequentiallyConsistent)
                readDone.store(true, ordering: .sequentiallyConsistent)
            }
            usleep(100_000)
            inside.store(false, ordering: .sequentiallyConsistent)
            return true
        }
        #expect(ran == true)
        while !readDone.load(ordering: .sequentiallyConsistent) { usleep(1000) }
        let sawTheTurn = readDuringTurn.load(ordering: .sequentiallyConsistent)
        #expect(!sawTheTurn, "the read waited for the turn to end")
    }

    /// A read in use that will not come back in time: the turn is given up, not waited for.
    @Test func aReadThatDoesNotComeBackInTimeCostsTheTurnNotADeadlock() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        let holding = Atomic<Bool>(false), release = Atomic<Bool>(false)
        Thread.detachNewThread {
            _ = try? database.readers.read { _ in
                holding.store(true, ordering: .sequentiallyConsistent)
                while !release.load(ordering: .sequentiallyConsistent) { usleep(1000) }
            }
        }
        while !holding.load(ordering: .sequentiallyConsistent) { usleep(1000) }
        let started = ContinuousClock.now
        let ran = try #require(database.readers.pool).whileNobodyReads(patience: 0.05) { true }
        #expect(ran == nil)
        #expect(ContinuousClock.now - started < .seconds(1))
        release.store(true, ordering: .sequentiallyConsistent)
        #expect(try database.readers.read { db in try Int.fetchOne(db, sql: "SELECT 1") } == 1, "readers are handed out again")
    }
}

@Suite struct ClosingTests {
    /// Connections left open to a file that is then deleted confuse SQLite: another file that gets the
    /// same inode would be taken for it, and share its locks and its wal-index.
    @Test func aDatabaseLeavesNoFileOpenOnceItIsGone() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        do {
            let database = try file.open()
            _ = try database.coupons.createCoupon(coupon("c1"), now: 1)
            _ = try database.coupons.coupon(outCouponID: "c1")  // a reader opened too
            #expect(!openFiles(under: file.directory.path("")).isEmpty)
        }
        #expect(openFiles(under: file.directory.path("")).isEmpty)
    }

    private func openFiles(under folder: String) -> [String] {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
            .filter { $0.hasPrefix(folder) }
    }
}
