import Foundation
import GRDB
import Synchronization

/// Read-only connections to the database file, each used by one thread at a time.
///
/// `DatabasePool.read` serializes every reader checkout through dispatch queues and barriers, which
/// with dozens of server threads costs more than the query itself (measured: a GET by id at 2,300
/// requests/s through it, see the README's performance section). Here a thread takes a reader by setting
/// the reader's bit in one atomic word, with no lock; only when every reader is taken does it wait, on a
/// condition. Reads see the last committed write, from this process or another.
final class ReaderPool: Sendable {
    /// One reader, opened by the first thread that takes it.
    private final class Slot: @unchecked Sendable {  // used only by the thread that holds its bit in `taken`
        var reader: DatabaseQueue?
    }

    private let path: String
    private let configuration: Configuration
    private let slots: [Slot]
    /// Bit i set: slot i is taken.
    private let taken = Atomic<UInt64>(0)
    /// Every slot's bit.
    private let all: UInt64
    /// Where the next read starts looking for a free slot: readers are taken in turn, so that each one's
    /// page cache fills early instead of the last ones' slowly, over hours, as memory creeping up.
    private let nextStart = Atomic<Int>(0)
    private let waiting = Atomic<Int>(0)
    /// Set while `whileNobodyReads` waits for its turn or runs: no reader is handed out.
    private let closed = Atomic<Bool>(false)
    private let released = NSCondition()

    /// - Parameters:
    ///   - maximumCount: from 1 to 64.
    ///   - pageCacheKiB: the pages each reader keeps in memory, at most (SQLite's `cache_size`).
    init(path: String, configuration: Configuration, maximumCount: Int, pageCacheKiB: Int) {
        precondition((1...64).contains(maximumCount), "a reader pool holds 1 to 64 readers")
        var configuration = configuration
        configuration.readonly = true
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -\(pageCacheKiB)") }
        self.path = path
        self.configuration = configuration
        slots = (0..<maximumCount).map { _ in Slot() }
        all = maximumCount == 64 ? ~0 : (1 << UInt64(maximumCount)) - 1
    }

    /// Runs `body` in one read transaction: its statements see one snapshot of the database.
    ///
    /// Without it each statement would be a read transaction of its own, and each begins and ends with
    /// a lock on the WAL index behind a mutex shared by every connection of the process, with `fcntl`
    /// calls: on a GET by id (key, coupon, attempts, changes) that hand-over cost more than the queries.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let index = checkOut()
        defer { checkIn(index) }
        let slot = slots[index]
        let reader = try slot.reader ?? open(slot)
        return try reader.inDatabase { db in
            try db.cachedStatement(sql: "BEGIN DEFERRED").execute()
            defer { try? db.cachedStatement(sql: "COMMIT").execute() }
            return try body(db)
        }
    }

    private func open(_ slot: Slot) throws -> DatabaseQueue {
        let reader = try DatabaseQueue(path: path, configuration: configuration)
        slot.reader = reader
        return reader
    }

    private func checkOut() -> Int {
        while true {
            if let index = tryCheckOut() { return index }
            released.lock()
            waiting.add(1, ordering: .sequentiallyConsistent)
            // A slot released before `waiting` went up signalled nobody: look again before waiting.
            let index = tryCheckOut()
            if index == nil { released.wait() }
            waiting.subtract(1, ordering: .sequentiallyConsistent)
            released.unlock()
            if let index { return index }
        }
    }

    /// Runs `body` while no reader is in use and none can be taken, and returns what it returns; reads
    /// that begin meanwhile wait until it is done. A checkpoint gets its turn this way (`WALCheckpoints`):
    /// readers always overlapping would never let the log start over. Nil, without running `body`, when
    /// the readers in use are not all back within `patience` seconds: one of them may be waiting for the
    /// very writer that asks (a read that notes a key's use, say).
    func whileNobodyReads<T>(patience: Double, _ body: () throws -> T) rethrows -> T? {
        let deadline = Date(timeIntervalSinceNow: patience)
        closed.store(true, ordering: .sequentiallyConsistent)
        var mine: UInt64 = 0
        defer {
            released.lock()
            closed.store(false, ordering: .sequentiallyConsistent)
            taken.bitwiseAnd(~mine, ordering: .sequentiallyConsistent)
            released.broadcast()
            released.unlock()
        }
        while mine != all {
            let current = taken.load(ordering: .sequentiallyConsistent)
            let free = ~current & all & ~mine
            if free != 0 {
                if taken.compareExchange(expected: current, desired: current | free, ordering: .sequentiallyConsistent).exchanged { mine |= free }
                continue
            }
            guard Date() < deadline else { return nil }
            released.lock()
            _ = released.wait(until: min(deadline, Date(timeIntervalSinceNow: 0.001)))  // reads take microseconds
            released.unlock()
        }
        return try body()
    }

    private func tryCheckOut() -> Int? {
        guard !closed.load(ordering: .sequentiallyConsistent) else { return nil }
        let start = nextStart.wrappingAdd(1, ordering: .relaxed).oldValue % slots.count
        var current = taken.load(ordering: .sequentiallyConsistent)
        while current & all != all {
            let free = ~current & all
            let fromStart = free & ~((1 << UInt64(start)) - 1)
            let index = (fromStart != 0 ? fromStart : free).trailingZeroBitCount
            let (exchanged, found) = taken.compareExchange(
                expected: current, desired: current | (1 << UInt64(index)), ordering: .sequentiallyConsistent)
            if exchanged { return index }
            current = found
        }
        return nil
    }

    /// Readers opened so far.
    var openedCount: Int { slots.count { $0.reader != nil } }

    private func checkIn(_ index: Int) {
        taken.bitwiseAnd(~(1 << UInt64(index)), ordering: .sequentiallyConsistent)
        guard waiting.load(ordering: .sequentiallyConsistent) > 0 else { return }
        released.lock()
        released.signal()
        released.unlock()
    }
}
