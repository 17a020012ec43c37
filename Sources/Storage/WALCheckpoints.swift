import GRDB
import GRDBSQLite

/// Keeps the write-ahead log bounded while readers overlap all the time.
///
/// SQLite's automatic checkpoint (PASSIVE, after a commit leaves 1,000 pages in the log) copies only
/// the pages no reader still needs, and the log starts over only when no reader is using it: with
/// readers always overlapping, it never does, and the `-wal` file grew by megabytes a second under
/// load. On the writer's connection this hook replaces it: once the log holds `restartFrames` pages, a
/// RESTART checkpoint copies them all and waits up to `patience` for the readers of older snapshots to
/// finish (readers that begin meanwhile read the database file), so that the next commit writes the log
/// from its start, and `journal_size_limit` cuts the file back to `sizeLimit`. A checkpoint that runs
/// out of patience (a long backup reading, say) is tried again once the log has grown by as much again.
final class WALCheckpoints: @unchecked Sendable {  // used only on the writer's connection, one commit at a time
    static let restartFrames: Int32 = 1000
    static let sizeLimit = 8 << 20
    static let patienceMilliseconds: Int32 = 200

    /// Log pages at which the next checkpoint is tried.
    private var nextAttempt = restartFrames
    private let busyTimeoutMilliseconds: Int32

    private init(busyTimeoutMilliseconds: Int32) {
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
    }

    /// Installs the hook on `db`, the writer's connection, whose busy timeout is `busyTimeoutSeconds`.
    /// The hook's state lives as long as the process: a few bytes per database opened.
    static func install(on db: Database, busyTimeoutSeconds: Double) throws {
        try db.execute(sql: "PRAGMA journal_size_limit = \(sizeLimit)")
        let state = WALCheckpoints(busyTimeoutMilliseconds: Int32(busyTimeoutSeconds * 1000))
        sqlite3_wal_hook(db.sqliteConnection, { context, connection, name, frames in
            let state = Unmanaged<WALCheckpoints>.fromOpaque(context!).takeUnretainedValue()
            state.committed(frames: frames, connection: connection, database: name)
            return SQLITE_OK  // the commit is done whatever the checkpoint does
        }, Unmanaged.passRetained(state).toOpaque())
    }

    private func committed(frames: Int32, connection: OpaquePointer?, database: UnsafePointer<CChar>?) {
        guard frames >= nextAttempt else { return }
        sqlite3_busy_timeout(connection, Self.patienceMilliseconds)
        let result = sqlite3_wal_checkpoint_v2(connection, database, SQLITE_CHECKPOINT_RESTART, nil, nil)
        sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
        nextAttempt = result == SQLITE_OK ? Self.restartFrames : frames + Self.restartFrames
    }
}
