import GRDB
import GRDBSQLite

/// The application's SQLite database: one file in WAL mode, written through a `DatabasePool`, read
/// through a `ReaderPool` of read-only connections beside it; or, for tests, a database in memory
/// (`init(inMemory:)`). Every write method is one transaction, but for `createCoupon`, which is one
/// savepoint of a transaction that creates arriving together share (`GroupCommit`); every read method
/// is one read transaction.
public struct AppDatabase: Sendable {
    /// How hard SQLite works to keep a committed transaction through a power cut.
    public enum Durability: String, Sendable, CaseIterable {
        /// `synchronous=FULL`: every commit reaches the disk before it returns.
        case full
        /// `synchronous=NORMAL`: in WAL mode a power cut may lose the last commits, never corrupt the file.
        case normal
    }

    let writer: any DatabaseWriter
    let readers: DatabaseReaders
    /// For the writes that many requests make at once (creates): one commit for those that arrive together.
    let groupCommit: GroupCommit
    /// For `changeStamp()`: the writer's connection's mapping of the wal-index.
    let walIndex: WALIndexHeader?

    /// The stores by aggregate, each over the one writer and the readers above.
    public let coupons: any CouponStore
    public let accounts: any AccountStore
    public let audit: any AuditLog
    public let accessTokens: any AccessTokenStore
    public let imports: any ImportStore

    /// The migrations this opening applied, and where it copied the database first (`AppDatabase+Schema`).
    public let migration: Migration
    /// How many of a coupon's sync attempts are kept, the newest; `sync_attempts_total` counts them all.
    public let syncAttemptsKept: Int

    /// Opens (creating if needed) the database at `path` and applies any migration it has not seen, after
    /// a copy of a database that holds data; with `migrate` false, opens it as it is, and throws
    /// `NotMigrated` when it lacks a migration. Either way a database that a newer version migrated
    /// throws `NewerSchema`.
    /// - Parameters:
    ///   - maximumReaders: read connections open at most (1 to 64); a read waits while all are taken.
    ///   - readerPageCacheKiB: the pages each of them keeps in memory, at most. Half SQLite's default:
    ///     with the API's answers kept apart (`AnswerCache`), that is enough for the reads left, and it keeps
    ///     the worker within its memory goal (README, performance).
    ///   - syncAttemptsKept: a coupon's sync attempts kept, the newest (at least 1).
    public init(
        path: String, durability: Durability = .full, busyTimeoutSeconds: Double = 5, maximumReaders: Int = 8, readerPageCacheKiB: Int = 1024,
        syncAttemptsKept: Int = 20, migrate: Bool = true
    ) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        let writer = try DatabasePool(path: path, configuration: configuration)
        // Set on the writer once it is open: turning WAL on, the pool sets it to NORMAL, after any
        // `prepareDatabase`. Readers never commit, so theirs does not matter.
        let readers = ReaderPool(path: path, configuration: configuration, maximumCount: maximumReaders, pageCacheKiB: readerPageCacheKiB)
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
            try WALCheckpoints.install(on: db, busyTimeoutSeconds: busyTimeoutSeconds, readers: readers)
            CommitTimer.install(on: db)
        }
        self.init(
            writer: writer, readers: .pool(readers), walIndex: WALIndexHeader(of: writer),
            migration: try Self.bringUpToDate(writer, path: path, migrate: migrate), syncAttemptsKept: syncAttemptsKept
        )
    }

    /// A database in memory, migrated, gone with the last copy of this value: for tests of what uses
    /// the stores. One connection writes and reads; there is no change stamp, so no answer is kept.
    public init(inMemory syncAttemptsKept: Int = 20) throws {
        let writer = try DatabaseQueue()
        try Self.migrator.migrate(writer)
        self.init(
            writer: writer, readers: .writer(writer), walIndex: nil, migration: Migration(applied: Self.migrationNames, backup: nil),
            syncAttemptsKept: syncAttemptsKept
        )
    }

    private init(writer: any DatabaseWriter, readers: DatabaseReaders, walIndex: WALIndexHeader?, migration: Migration, syncAttemptsKept: Int) {
        precondition(syncAttemptsKept >= 1, "a coupon keeps at least its last sync attempt")
        self.writer = writer
        self.readers = readers
        self.walIndex = walIndex
        self.migration = migration
        self.syncAttemptsKept = syncAttemptsKept
        groupCommit = GroupCommit(writer: writer)
        coupons = CouponTables(writer: writer, readers: readers, groupCommit: groupCommit, syncAttemptsKept: syncAttemptsKept)
        accounts = AccountTables(writer: writer, readers: readers)
        audit = AuditTable(writer: writer, readers: readers)
        accessTokens = AccessTokenTable(writer: writer)
        imports = ImportTable(writer: writer, readers: readers)
    }

    /// False when SQLite opened the file read-only, as it does without a word when this process may not
    /// write it: then every write fails until the database is opened again.
    public var isWritable: Bool {
        writer.writeWithoutTransaction { db in sqlite3_db_readonly(db.sqliteConnection, "main") == 0 }
    }

    /// The migrations this build knows, for `coupon-admin migrate` to report.
    public static var migrationNames: [String] { migrator.migrations }

    /// The migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// Append-only: a released migration is never edited, only followed by another.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 coupons") { db in
            try db.execute(sql: """
                CREATE TABLE coupon (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    out_coupon_id TEXT NOT NULL UNIQUE,
                    type INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    body TEXT NOT NULL,
                    wechat_status INTEGER,
                    wechat_create_time INTEGER,
                    wechat_update_time INTEGER,
                    sync_state TEXT NOT NULL,
                    sync_error TEXT,
                    created_by TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX coupon_by_type ON coupon (type, id);
                CREATE INDEX coupon_by_wechat_status ON coupon (wechat_status, id);
                CREATE INDEX coupon_by_sync_state ON coupon (sync_state, id);
                """)
        }
        migrator.registerMigration("v2 access tokens") { db in
            try db.execute(sql: """
                CREATE TABLE access_token (
                    key TEXT PRIMARY KEY,
                    token TEXT,
                    expires_at REAL,
                    fetched_at REAL,
                    claimed_by TEXT,
                    claimed_until REAL
                );
                """)
        }
        migrator.registerMigration("v3 access token errors") { db in
            try db.execute(sql: "ALTER TABLE access_token ADD COLUMN last_error TEXT")
        }
        migrator.registerMigration("v4 sync attempts") { db in
            try db.execute(sql: """
                CREATE TABLE sync_attempt (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    coupon_id INTEGER NOT NULL REFERENCES coupon (id) ON DELETE CASCADE,
                    at REAL NOT NULL,
                    endpoint TEXT NOT NULL,
                    errcode INTEGER,
                    failure TEXT,
                    duration_ms REAL NOT NULL
                );
                CREATE INDEX sync_attempt_by_coupon ON sync_attempt (coupon_id, id);
                ALTER TABLE coupon ADD COLUMN next_sync_at REAL;
                ALTER TABLE coupon ADD COLUMN sync_claimed_by TEXT;
                ALTER TABLE coupon ADD COLUMN sync_claimed_until REAL;
                CREATE INDEX coupon_due_for_sync ON coupon (sync_state, next_sync_at);
                """)
        }
        migrator.registerMigration("v5 accounts") { db in
            try db.execute(sql: """
                CREATE TABLE staff_user (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    disabled_at INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE TABLE api_key (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL,
                    key_hash TEXT NOT NULL UNIQUE,
                    created_at INTEGER NOT NULL,
                    last_used_at INTEGER,
                    revoked_at INTEGER
                );
                """)
        }
        migrator.registerMigration("v6 audit log") { db in
            try db.execute(sql: """
                CREATE TABLE audit_entry (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target_type TEXT NOT NULL,
                    target TEXT NOT NULL,
                    details TEXT
                );
                CREATE INDEX audit_entry_by_target ON audit_entry (target_type, target, id);
                CREATE TRIGGER audit_entry_is_never_updated BEFORE UPDATE ON audit_entry
                    BEGIN SELECT RAISE(ABORT, 'audit entries are never changed'); END;
                CREATE TRIGGER audit_entry_is_never_deleted BEFORE DELETE ON audit_entry
                    BEGIN SELECT RAISE(ABORT, 'audit entries are never deleted'); END;
                """)
        }
        migrator.registerMigration("v7 staff sessions") { db in
            try db.execute(sql: """
                CREATE TABLE staff_session (
                    id_hash TEXT PRIMARY KEY,
                    user_name TEXT NOT NULL,
                    csrf_token TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    last_seen_at INTEGER NOT NULL
                );
                CREATE INDEX staff_session_by_user ON staff_session (user_name);
                """)
        }
        migrator.registerMigration("v8 changes, stock, user coupons, imports") { db in
            try db.execute(sql: """
                ALTER TABLE coupon ADD COLUMN status INTEGER NOT NULL DEFAULT 1;
                UPDATE coupon SET status = wechat_status WHERE wechat_status IS NOT NULL;
                ALTER TABLE coupon ADD COLUMN issued_num INTEGER;
                ALTER TABLE coupon ADD COLUMN receive_num INTEGER;
                ALTER TABLE coupon ADD COLUMN wechat_differs TEXT;
                CREATE TABLE user_coupon (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    out_user_coupon_id TEXT NOT NULL UNIQUE,
                    openid TEXT NOT NULL,
                    coupon_id INTEGER NOT NULL REFERENCES coupon (id),
                    status INTEGER NOT NULL,
                    recv_time INTEGER NOT NULL,
                    use_time INTEGER,
                    sync_state TEXT NOT NULL,
                    sync_error TEXT,
                    created_by TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX user_coupon_by_claimant ON user_coupon (coupon_id, openid);
                CREATE INDEX user_coupon_by_openid ON user_coupon (openid, id);
                CREATE TABLE coupon_change (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    coupon_id INTEGER NOT NULL REFERENCES coupon (id),
                    user_coupon_id INTEGER REFERENCES user_coupon (id),
                    endpoint TEXT NOT NULL,
                    status INTEGER,
                    issued_num INTEGER,
                    receive_num INTEGER,
                    use_time INTEGER,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    errcode INTEGER,
                    error TEXT,
                    requested_by TEXT NOT NULL,
                    requested_at INTEGER NOT NULL,
                    sent_at INTEGER
                );
                CREATE INDEX coupon_change_queue ON coupon_change (coupon_id, state, id);
                CREATE TABLE import_run (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    started_by TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    heartbeat_at INTEGER NOT NULL,
                    finished_at INTEGER,
                    state TEXT NOT NULL,
                    total_num INTEGER,
                    seen INTEGER NOT NULL DEFAULT 0,
                    created INTEGER NOT NULL DEFAULT 0,
                    updated INTEGER NOT NULL DEFAULT 0,
                    differing INTEGER NOT NULL DEFAULT 0,
                    unreadable INTEGER NOT NULL DEFAULT 0,
                    error TEXT
                );
                """)
        }
        migrator.registerMigration("v9 sync attempts counted") { db in
            try db.execute(sql: """
                ALTER TABLE coupon ADD COLUMN sync_attempts_total INTEGER NOT NULL DEFAULT 0;
                UPDATE coupon SET sync_attempts_total = (SELECT count(*) FROM sync_attempt WHERE coupon_id = coupon.id);
                """)
        }
        migrator.registerMigration("v10 coupon versions") { db in
            try db.execute(sql: "ALTER TABLE coupon ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
        }
        migrator.registerMigration("v11 spreadsheet uploads") { db in
            try db.execute(sql: """
                CREATE TABLE coupon_upload (
                    id INTEGER PRIMARY KEY,
                    file_name TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE coupon_upload_row (
                    upload_id INTEGER NOT NULL REFERENCES coupon_upload(id),
                    row INTEGER NOT NULL,
                    coupon_id INTEGER NOT NULL REFERENCES coupon(id),
                    created INTEGER NOT NULL,
                    PRIMARY KEY (upload_id, row)
                );
                """)
        }
        return migrator
    }
}

extension Database {
    /// Runs an update through the connection's statement cache, compiled once rather than on every call.
    func executeCached(sql: String, arguments: StatementArguments) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
