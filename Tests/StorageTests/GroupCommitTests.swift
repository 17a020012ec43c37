import Foundation
import GRDB
import Testing
@testable import Storage

@Suite struct GroupCommitTests {
    /// Counts the commits of the connection it observes.
    final class CommitCounter: TransactionObserver, @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var commits: Int { lock.withLock { count } }
        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
        func databaseDidChange(with event: DatabaseEvent) {}
        func databaseDidCommit(_ db: Database) { lock.withLock { count += 1 } }
        func databaseDidRollback(_ db: Database) {}
    }

    static func insert(_ name: String, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO audit_entry (at, actor, action, target_type, target) VALUES (0, 'test', 'x', 'x', ?)", arguments: [name])
    }

    static func stored(_ database: AppDatabase) throws -> Set<String> {
        try database.readers.read { db in Set(try String.fetchAll(db, sql: "SELECT target FROM audit_entry")) }
    }

    /// Starts `count` writes on threads of their own, once the first of them is committing and held.
    static func writesBehindAHeldOne(
        _ database: AppDatabase, count: Int, body: @escaping @Sendable (Int, Database) throws -> Void
    ) throws -> [Result<Void, any Error>] {
        let held = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let results = NSLock()
        nonisolated(unsafe) var outcomes = [Result<Void, any Error>?](repeating: nil, count: count + 1)
        let group = DispatchGroup()
        func start(_ index: Int, _ body: @escaping @Sendable (Database) throws -> Void) {
            let thread = Thread {
                let outcome = Result { try database.groupCommit.write(body) }
                results.withLock { outcomes[index] = outcome }
                group.leave()
            }
            group.enter()
            thread.start()
        }
        start(0) { db in
            try insert("first", db)
            held.signal()
            release.wait()
        }
        held.wait()
        for index in 1...count { start(index) { db in try body(index, db) } }
        let deadline = Date().addingTimeInterval(30)
        while database.groupCommit.queued < count && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        #expect(database.groupCommit.queued == count, "every write queued behind the held commit")
        release.signal()
        group.wait()
        return results.withLock { outcomes.map { $0! } }
    }

    @Test func writesThatArriveDuringACommitShareTheNextOne() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        let counter = CommitCounter()
        database.writer.add(transactionObserver: counter, extent: .databaseLifetime)
        let results = try Self.writesBehindAHeldOne(database, count: 20) { index, db in try Self.insert("write \(index)", db) }
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        #expect(try Self.stored(database) == Set(["first"] + (1...20).map { "write \($0)" }))
        #expect(counter.commits == 2, "the held write's commit, then one for the twenty that waited")
    }

    @Test func aWriteThatThrowsIsUndoneAloneAndTheOthersAreKept() throws {
        struct Refused: Error {}
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        let results = try Self.writesBehindAHeldOne(database, count: 5) { index, db in
            try Self.insert("write \(index)", db)
            if index == 3 { throw Refused() }
        }
        #expect(results.enumerated().map { (try? $1.get()) != nil } == [true, true, true, false, true, true])
        #expect(try Self.stored(database) == ["first", "write 1", "write 2", "write 4", "write 5"])
    }

    @Test func whenTheTransactionIsLostNoWriteOfTheBatchIsKept() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        let results = try Self.writesBehindAHeldOne(database, count: 3) { index, db in
            try Self.insert("write \(index)", db)
            if index == 2 { try db.execute(sql: "ROLLBACK") }  // as SQLite does itself on a full disk
        }
        #expect(results.map { (try? $0.get()) != nil } == [true, false, false, false])
        #expect(try Self.stored(database) == ["first"], "none of the batch, and nothing committed on its own")
    }

    @Test func eachWriteSeesThoseBeforeItInTheSameCommit() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        let seen = NSLock()
        nonisolated(unsafe) var counts: [Int] = []
        _ = try Self.writesBehindAHeldOne(database, count: 5) { index, db in
            try Self.insert("write \(index)", db)
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_entry")!
            seen.withLock { counts.append(count) }
        }
        #expect(counts.sorted() == [2, 3, 4, 5, 6], "in turn, each counts the held write's row, those before it and its own")
    }
}
