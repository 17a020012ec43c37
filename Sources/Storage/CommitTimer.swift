import GRDB
import Metrics

/// `coupon_admin_database_commit_duration_seconds`: how long each commit on the writer takes, its fsync
/// (and a checkpoint that `WALCheckpoints` runs after it) included, as SQLite itself times the `COMMIT`
/// statement (`sqlite3_trace_v2`'s profile).
enum CommitTimer {
    static let label = "coupon_admin_database_commit_duration_seconds"

    static func install(on db: Database) {
        let timer = Timer(label: label)
        db.trace(options: .profile) { event in
            guard case .profile(let statement, let duration) = event, statement.sql.hasPrefix("COMMIT") else { return }
            timer.recordNanoseconds(Int64(duration * 1e9))
        }
    }
}
