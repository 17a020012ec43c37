import Foundation
import GRDB

/// Commits the writes that arrive while another commit is under way together: one transaction and one
/// fsync for all of them, each write in a savepoint of its own.
///
/// SQLite commits one transaction at a time, each with its fsync (`synchronous=FULL`), so writes one
/// per transaction are capped by the disk's fsync rate, and each commit is followed by a hand-over to
/// the next waiting thread. Here the first write to arrive commits at once; those that arrive meanwhile
/// queue, and when that commit is done the first of them commits the whole queue. Each waiting thread is
/// woken once, when its write is committed or when it is its turn to commit. A write returns only once
/// its transaction is committed, as with a transaction of its own.
///
/// Writes keep their order and see those before them. One that throws is rolled back to its savepoint
/// and throws to its caller alone. A commit that fails, or a transaction that SQLite rolls back by itself
/// (on a full disk, say; GRDB then refuses the statements that follow), throws to every write in it,
/// none of which is kept.
final class GroupCommit: @unchecked Sendable {  // `queue` and `committing` are guarded by `lock`
    private final class Write: @unchecked Sendable {  // handed to the committing thread while its caller waits
        let run: (Database) -> Void
        let fail: (any Error) -> Void
        /// Signalled once: when the write is committed (`done`), or when it is its turn to commit the queue.
        let wake = DispatchSemaphore(value: 0)
        var done = false

        init(run: @escaping (Database) -> Void, fail: @escaping (any Error) -> Void) {
            self.run = run
            self.fail = fail
        }
    }

    private final class Outcome<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
    }

    private let writer: any DatabaseWriter
    private let lock = NSLock()
    private var queue: [Write] = []
    private var committing = false

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    func write<T>(_ body: @escaping (Database) throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let write = Write(
            run: { db in
                do {
                    var value: T?
                    try db.inSavepoint {
                        value = try body(db)
                        return .commit
                    }
                    outcome.result = .success(value!)
                } catch {
                    outcome.result = .failure(error)
                }
            },
            fail: { outcome.result = .failure($0) }
        )
        lock.lock()
        queue.append(write)
        if committing {
            lock.unlock()
            write.wake.wait()
            if write.done { return try outcome.result!.get() }
            lock.lock()  // its turn: the commit before handed over with `committing` still set
        }
        committing = true
        let batch = queue
        queue = []
        lock.unlock()
        commit(batch)
        lock.lock()
        let next = queue.first
        committing = next != nil
        lock.unlock()
        for other in batch where other !== write {
            other.done = true
            other.wake.signal()
        }
        next?.wake.signal()
        return try outcome.result!.get()
    }

    /// Writes queued behind the commit under way.
    var queued: Int {
        lock.withLock { queue.count }
    }

    private func commit(_ batch: [Write]) {
        do {
            try writer.write { db in for write in batch { write.run(db) } }
        } catch {
            for write in batch { write.fail(error) }
        }
    }
}
