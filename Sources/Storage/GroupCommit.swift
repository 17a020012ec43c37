import Foundation
import GRDB

/// Commits the writes that arrive while another commit is under way together: one transaction and one
/// fsync for all of them, each write in a savepoint of its own.
///
/// SQLite commits one transaction at a time, each with its fsync (`synchronous=FULL`), so writes one
/// per transaction are capped by the disk's fsync rate, and each commit is followed by a hand-over to
/// the next waiting thread. Here the first write to arrive commits at once; those that arrive meanwhile
/// queue, and the first of them to wake commits the whole queue. A write returns only once its
/// transaction is committed, as with a transaction of its own.
///
/// Writes keep their order and see those before them. One that throws is rolled back to its savepoint
/// and throws to its caller alone; a commit that fails throws to every write in it, none of which is kept.
final class GroupCommit: @unchecked Sendable {  // `queue` and `committing` are guarded by `turn`
    private final class Write: @unchecked Sendable {  // handed to the committing thread while its caller waits
        let run: (Database) -> Void
        let fail: (any Error) -> Void
        var done = false

        init(run: @escaping (Database) -> Void, fail: @escaping (any Error) -> Void) {
            self.run = run
            self.fail = fail
        }
    }

    private final class Outcome<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
    }

    private let writer: DatabasePool
    private let turn = NSCondition()
    private var queue: [Write] = []
    private var committing = false

    init(writer: DatabasePool) {
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
        turn.lock()
        queue.append(write)
        while committing && !write.done { turn.wait() }
        if !write.done {
            committing = true
            let batch = queue
            queue = []
            turn.unlock()
            commit(batch)
            turn.lock()
            for write in batch { write.done = true }
            committing = false
            turn.broadcast()
        }
        turn.unlock()
        return try outcome.result!.get()
    }

    /// Writes queued behind the commit under way.
    var queued: Int {
        turn.lock()
        defer { turn.unlock() }
        return queue.count
    }

    private func commit(_ batch: [Write]) {
        do {
            try writer.write { db in for write in batch { write.run(db) } }
        } catch {
            for write in batch { write.fail(error) }
        }
    }
}
