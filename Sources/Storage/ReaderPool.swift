import Foundation
import GRDB

/// Read-only connections to the database file, each used by one thread at a time.
///
/// `DatabasePool.read` serializes every reader checkout through dispatch queues and barriers, which
/// with dozens of server threads costs more than the query itself (measured: a GET by id at 2,300
/// requests/s through it, see the README's performance section). Here a checkout is a pop under a
/// lock held for nanoseconds. Reads see the last committed write, from this process or another.
final class ReaderPool: @unchecked Sendable {  // `idle` and `opened` are guarded by `available`
    private let path: String
    private let configuration: Configuration
    private let maximumCount: Int
    private let available = NSCondition()
    private var idle: [DatabaseQueue] = []
    private var opened = 0

    init(path: String, configuration: Configuration, maximumCount: Int) {
        var configuration = configuration
        configuration.readonly = true
        self.path = path
        self.configuration = configuration
        self.maximumCount = maximumCount
    }

    /// Runs `body` in one read transaction: its statements see one snapshot of the database.
    ///
    /// Without it each statement would be a read transaction of its own, and each begins and ends with
    /// a lock on the WAL index behind a mutex shared by every connection of the process, with `fcntl`
    /// calls: on a GET by id (key, coupon, attempts, changes) that hand-over cost more than the queries.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let reader = try checkOut()
        defer { checkIn(reader) }
        return try reader.inDatabase { db in
            try db.cachedStatement(sql: "BEGIN DEFERRED").execute()
            defer { try? db.cachedStatement(sql: "COMMIT").execute() }
            return try body(db)
        }
    }

    private func checkOut() throws -> DatabaseQueue {
        available.lock()
        while idle.isEmpty && opened == maximumCount { available.wait() }
        if let reader = idle.popLast() {
            available.unlock()
            return reader
        }
        opened += 1
        available.unlock()
        do {
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            available.lock()
            opened -= 1
            available.signal()
            available.unlock()
            throw error
        }
    }

    private func checkIn(_ reader: DatabaseQueue) {
        available.lock()
        idle.append(reader)
        available.signal()
        available.unlock()
    }
}
