import GRDB
import Metrics

/// `coupon_admin_database_commit_duration_seconds`: how long each commit on the writer takes, from
/// SQLite's commit hook (the transaction's changes are about to be written) until the commit is done:
/// the write to the `-wal` file, its fsync, and a checkpoint `WALCheckpoints` runs right after.
///
/// A transaction observer that observes no changes: GRDB tells it of each commit and nothing else, so it
/// costs a transaction two clock reads, not a call for every statement as SQLite's profiling would.
final class CommitTimer: TransactionObserver {
    static let label = "coupon_admin_database_commit_duration_seconds"

    private let timer = Timer(label: label)
    /// Only touched on the writer's connection, one transaction at a time.
    private var started: ContinuousClock.Instant?

    static func install(on db: Database) {
        db.add(transactionObserver: CommitTimer(), extent: .databaseLifetime)
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}

    func databaseWillCommit() throws {
        started = .now
    }

    func databaseDidCommit(_ db: Database) {
        if let started { timer.record(duration: .now - started) }
        started = nil
    }

    func databaseDidRollback(_ db: Database) {
        started = nil
    }
}
