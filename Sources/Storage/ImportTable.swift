import Coupons
import GRDB
import StrictJSON

extension AppDatabase {
    /// Imports of WeChat's coupons, `import_run`, and bringing each coupon in.
    public struct ImportTable: Sendable {
        let writer: any DatabaseWriter
        let readers: DatabaseReaders
    }
}

/// Bringing in what WeChat has (`get_list`): coupons made elsewhere are stored, those stored here take
/// WeChat's status, times and stock, and a stored coupon whose fields differ from WeChat's is flagged.
/// One coupon as `get_list` shows it.
public struct WeChatCoupon: Sendable {
    public var coupon: Coupon
    public var status: CouponStatus
    public var createTime: Int?
    public var updateTime: Int?
    public var issuedNum: Int?
    public var receiveNum: Int?

    public init(coupon: Coupon, status: CouponStatus, createTime: Int?, updateTime: Int?, issuedNum: Int?, receiveNum: Int?) {
        self.coupon = coupon
        self.status = status
        self.createTime = createTime
        self.updateTime = updateTime
        self.issuedNum = issuedNum
        self.receiveNum = receiveNum
    }
}

public enum ImportResult: Sendable, Equatable {
    case created
    /// Stored before; WeChat's status, times and stock taken.
    case updated
    /// Stored before with other fields than WeChat's (the paths), and nothing queued that explains it.
    case differs([String])
}

/// How far an import has come, as `import_run` keeps it for the API.
public struct ImportRun: Sendable, Equatable {
    public var id: Int64
    public var startedBy: String
    public var startedAt: Int
    /// Unix seconds of the last progress; a running import that stops beating has died.
    public var heartbeatAt: Int
    public var finishedAt: Int?
    public var state: ImportState
    /// WeChat's `total_num`, once the first page is read.
    public var totalNum: Int?
    public var seen = 0
    public var created = 0
    public var updated = 0
    public var differing = 0
    public var unreadable = 0
    public var error: String?
}

extension AppDatabase {
    /// The error of an import whose process died while it ran.
    public static let stoppedImportError = "stopped without finishing"
}

extension AppDatabase.ImportTable {
    /// Starts recording an import, unless one is running (its heartbeat newer than `staleAfter` seconds):
    /// then answers that one, and false.
    public func startImportRun(by actor: String, now: Int, staleAfter: Int) throws -> (run: ImportRun, started: Bool) {
        try writer.write { db in
            if let running = try Row.fetchOne(
                db, sql: "SELECT * FROM import_run WHERE state = \(ImportState.running.sql) AND heartbeat_at > ? ORDER BY id DESC LIMIT 1", arguments: [now - staleAfter]
            ) {
                return (Self.importRun(running), false)
            }
            try db.execute(
                sql: "UPDATE import_run SET state = \(ImportState.failed.sql), error = ?, finished_at = ? WHERE state = \(ImportState.running.sql)",
                arguments: [AppDatabase.stoppedImportError, now]
            )
            try db.execute(
                sql: "INSERT INTO import_run (started_by, started_at, heartbeat_at, state) VALUES (?, ?, ?, \(ImportState.running.sql))", arguments: [actor, now, now]
            )
            let id = db.lastInsertedRowID
            try AppDatabase.AuditTable.append(AuditEntry(at: now, actor: actor, action: "coupon.import_started", targetType: "import", target: String(id)), in: db)
            return (try Self.importRun(id: id, in: db), true)
        }
    }

    /// Stores an import's progress; `state` ends it as `done` or `failed`.
    public func recordImportProgress(_ run: ImportRun, now: Int) throws {
        try writer.write { db in
            try db.execute(
                sql: """
                    UPDATE import_run SET heartbeat_at = ?, finished_at = ?, state = ?, total_num = ?, seen = ?, created = ?, updated = ?,
                        differing = ?, unreadable = ?, error = ? WHERE id = ?
                    """,
                arguments: [
                    now, run.state == .running ? nil : now, run.state, run.totalNum, run.seen, run.created, run.updated, run.differing, run.unreadable,
                    run.error, run.id,
                ]
            )
        }
    }

    public func importRun(id: Int64) throws -> ImportRun? {
        try readers.read { db in try Row.fetchOne(db, sql: "SELECT * FROM import_run WHERE id = ?", arguments: [id]).map(Self.importRun) }
    }

    private static func importRun(id: Int64, in db: Database) throws -> ImportRun {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM import_run WHERE id = ?", arguments: [id]) else {
            throw DatabaseError(message: "no import run \(id)")
        }
        return importRun(row)
    }

    private static func importRun(_ row: Row) -> ImportRun {
        ImportRun(
            id: row["id"], startedBy: row["started_by"], startedAt: row["started_at"], heartbeatAt: row["heartbeat_at"], finishedAt: row["finished_at"],
            state: row["state"], totalNum: row["total_num"], seen: row["seen"], created: row["created"], updated: row["updated"],
            differing: row["differing"], unreadable: row["unreadable"], error: row["error"]
        )
    }
}
