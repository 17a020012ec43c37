import GRDB
import StrictJSON

extension AppDatabase {
    /// The audit log, `audit_entry`: entries are only added, each in the transaction of what it records.
    public struct AuditTable: Sendable {
        let writer: any DatabaseWriter
        let readers: DatabaseReaders
    }
}

/// One thing someone did: who (a staff account, an API key, or the worker's own sync), when, what,
/// to what, and the particulars (JSON) where there are any. Entries are only ever added: triggers
/// refuse to update or delete them.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    /// Unix seconds.
    public var at: Int
    public var actor: String
    /// `coupon.create`, `coupon.sync`, `key.create`, `user.disable`, ...
    public var action: String
    /// `coupon`, `key` or `user`.
    public var targetType: String
    public var target: String
    /// A JSON object, or nil.
    public var details: String?

    public init(id: Int64 = 0, at: Int, actor: String, action: String, targetType: String, target: String, details: String? = nil) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.targetType = targetType
        self.target = target
        self.details = details
    }
}

/// Which entries an audit page shows: each set field narrows it.
public struct AuditFilter: Sendable, Equatable {
    public var actor: String?
    public var action: String?
    /// A coupon's `out_coupon_id`: the entries about it.
    public var coupon: String?
    /// Unix seconds: from `since`, before `until`.
    public var since: Int?
    public var until: Int?

    public init(actor: String? = nil, action: String? = nil, coupon: String? = nil, since: Int? = nil, until: Int? = nil) {
        self.actor = actor
        self.action = action
        self.coupon = coupon
        self.since = since
        self.until = until
    }
}

public struct AuditPage: Sendable, Equatable {
    public var entries: [AuditEntry]
    /// Pass as `before` for the next page; nil on the last page.
    public var nextBefore: Int64?
}

extension AppDatabase.AuditTable {
    /// A coupon's entries, oldest first.
    public func history(ofCoupon outCouponID: String) throws -> [AuditEntry] {
        try readers.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT \(Self.auditColumns) FROM audit_entry WHERE target_type = 'coupon' AND target = ? ORDER BY id"),
                arguments: [outCouponID]
            ).map(Self.auditEntry)
        }
    }

    /// Up to `limit` entries older than `before` that `filter` lets through, newest first.
    public func auditEntries(matching filter: AuditFilter, limit: Int, before: Int64?) throws -> AuditPage {
        try readers.read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT \(Self.auditColumns) FROM audit_entry
                    WHERE id < ?1 AND (?2 IS NULL OR actor = ?2) AND (?3 IS NULL OR action = ?3)
                        AND (?4 IS NULL OR (target_type = 'coupon' AND target = ?4)) AND (?5 IS NULL OR at >= ?5) AND (?6 IS NULL OR at < ?6)
                    ORDER BY id DESC LIMIT ?7
                    """),
                arguments: [before ?? Int64.max, filter.actor, filter.action, filter.coupon, filter.since, filter.until, limit + 1]
            ).map(Self.auditEntry)
            let page = Array(rows.prefix(limit))
            return AuditPage(entries: page, nextBefore: rows.count > limit ? page.last?.id : nil)
        }
    }

    /// Adds an entry on its own, for what is not a change of stored data (a failed login, say).
    public func append(_ entry: AuditEntry) throws {
        try writer.write { db in try Self.append(entry, in: db) }
    }

    /// Adds an entry inside the transaction of the change it records.
    static func append(_ entry: AuditEntry, in db: Database) throws {
        try db.executeCached(
            sql: "INSERT INTO audit_entry (at, actor, action, target_type, target, details) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [entry.at, entry.actor, entry.action, entry.targetType, entry.target, entry.details]
        )
    }

    /// An entry's details: a JSON object with these members.
    static func details(_ members: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter(capacity: 128)
        writer.object(members)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private static let auditColumns = "id, at, actor, action, target_type, target, details"

    private static func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(
            id: row["id"], at: row["at"], actor: row["actor"], action: row["action"], targetType: row["target_type"],
            target: row["target"], details: row["details"]
        )
    }
}
