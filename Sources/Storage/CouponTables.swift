import Coupons
import GRDB

extension AppDatabase {
    /// Coupons and their outbox: `coupon`, its queue of changes `coupon_change`, the calls made for it `sync_attempt`, and its user coupons `user_coupon`.
    public struct CouponTables: Sendable {
        let writer: any DatabaseWriter
        let readers: DatabaseReaders
        let groupCommit: GroupCommit
        let syncAttemptsKept: Int
    }
}

/// What storing a coupon came to.
public enum CreateOutcome: Sendable, Equatable {
    case created(CouponRecord)
    /// The same id with the same body was stored before: a retry.
    case alreadyStored(CouponRecord)
    /// The same id was stored before with another body; the stored one is unchanged.
    case conflict(CouponRecord)
}

/// Which coupons a list asks for, newest first.
public struct CouponFilter: Sendable, Equatable {
    public var type: CouponType?
    public var status: CouponStatus?
    public var syncState: SyncState?
    /// Part of the id or of the name.
    public var text: String?
    /// Only the coupons an import found different from WeChat's copy.
    public var differsFromWeChat = false
    /// Only the coupons in trouble: refused by WeChat, or waiting to reach it since before this time
    /// (unix seconds): since their oldest change still to send was asked for, or since they were
    /// stored when WeChat never took them.
    public var failingBefore: Int?

    /// How long a coupon may wait to reach WeChat before it counts as failing: 15 minutes.
    public static let failingAfter = 900

    public init(
        type: CouponType? = nil, status: CouponStatus? = nil, syncState: SyncState? = nil, text: String? = nil, differsFromWeChat: Bool = false,
        failingBefore: Int? = nil
    ) {
        self.type = type
        self.status = status
        self.syncState = syncState
        self.text = text
        self.differsFromWeChat = differsFromWeChat
        self.failingBefore = failingBefore
    }
}

/// The orders a list of coupons can be read in; each breaks ties by row, newest first.
public enum CouponOrder: String, CaseIterable, Sendable {
    /// Newest first.
    case newest
    case name
    /// The start of the claim window, earliest first.
    case claimStart = "claim_start"
    /// Last changed first.
    case updated

    var sql: String {
        switch self {
        case .newest: "id DESC"
        case .name: "name, id DESC"
        case .claimStart: "json_extract(body, '$.coupon_info.receive_info.start_time'), id DESC"
        case .updated: "updated_at DESC, id DESC"
        }
    }
}

public struct CouponListPage: Sendable, Equatable {
    public var records: [CouponRecord]
    /// Pass as `before` for the next page; nil on the last page.
    public var nextBefore: Int64?
}

extension AppDatabase.CouponTables {
    /// Stores a new coupon, pending sync, unless its `out_coupon_id` is taken, and records who stored it
    /// in the audit log. With `claim`, the new coupon's sync is claimed in the same transaction, so that
    /// no other attempt takes it first.
    public func createCoupon(_ coupon: Coupon, createdBy: String?, now: Int, claimingSync claim: SyncClaim?) throws -> CreateOutcome {
        return try groupCommit.write { db in
            let outcome = try Self.insert(coupon, createdBy: createdBy, now: now, in: db)
            if case .created(let record) = outcome, let claim {
                try db.executeCached(
                    sql: "UPDATE coupon SET sync_claimed_by = ?, sync_claimed_until = ? WHERE id = ?",
                    arguments: [claim.holder, claim.until, record.id]
                )
            }
            return outcome
        }
    }

    /// Stores a new coupon, pending sync, unless its `out_coupon_id` is taken, with its audit entry.
    static func insert(_ coupon: Coupon, createdBy: String?, now: Int, in db: Database) throws -> CreateOutcome {
        var record = CouponRecord(coupon: coupon, createdBy: createdBy, now: now)
        if let stored = try Self.coupon(outCouponID: coupon.outCouponID, in: db) {
            return Coupon.sameBody(stored.body, record.body) ? .alreadyStored(stored) : .conflict(stored)
        }
        try record.insert(db)
        try AppDatabase.AuditTable.append(
            AuditEntry(at: now, actor: createdBy ?? "unknown", action: "coupon.create", targetType: "coupon", target: coupon.outCouponID,
                       details: #"{"coupon":"# + record.body + "}"),
            in: db
        )
        return .created(record)
    }

    public func coupon(outCouponID: String) throws -> CouponRecord? {
        try readers.read { db in try Self.coupon(outCouponID: outCouponID, in: db) }
    }

    /// The coupon's row id, which other tables refer to it by.
    static func couponRow(outCouponID: String, in db: Database) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM coupon WHERE out_coupon_id = ?"), arguments: [outCouponID])
    }

    static func coupon(outCouponID: String, in db: Database) throws -> CouponRecord? {
        let statement = try db.cachedStatement(sql: "SELECT \(CouponRecord.columns) FROM coupon WHERE out_coupon_id = ?")
        return try CouponRecord.readOne(statement, arguments: [outCouponID])
    }

    /// Up to `limit` coupons older than row `before`, newest first.
    public func coupons(matching filter: CouponFilter, limit: Int, before: Int64?) throws -> CouponListPage {
        try readers.read { try AppDatabase.Snapshot(db: $0).coupons(matching: filter, limit: limit, before: before) }
    }

    static func escapingLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

extension AppDatabase.Snapshot {
    /// Up to `limit` coupons older than row `before`, newest first. Paging by row id keeps pages
    /// stable while coupons are added: a new coupon lands before the first page, never inside a later one.
    public func coupons(matching filter: CouponFilter, limit: Int, before: Int64?) throws -> CouponListPage {
        var (conditions, arguments) = Self.conditions(filter)
        if let before {
            conditions.append("id < ?")
            arguments += [before]
        }
        arguments += [limit + 1]
        // One statement per combination of filters, each prepared once per connection.
        let sql = "SELECT \(CouponRecord.columns) FROM coupon"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY id DESC LIMIT ?"
        let rows = try CouponRecord.readAll(try db.cachedStatement(sql: sql), arguments: arguments)
        let page = Array(rows.prefix(limit))
        return CouponListPage(records: page, nextBefore: rows.count > limit ? page.last?.id : nil)
    }

    /// Up to `limit` coupons `filter` lets through, in `order`, from the `offset`th: the admin pages'
    /// numbered pages.
    public func coupons(matching filter: CouponFilter, order: CouponOrder, limit: Int, offset: Int) throws -> [CouponRecord] {
        let (conditions, arguments) = Self.conditions(filter)
        let sql = "SELECT \(CouponRecord.columns) FROM coupon"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY \(order.sql) LIMIT ? OFFSET ?"
        return try CouponRecord.readAll(try db.cachedStatement(sql: sql), arguments: arguments + [limit, offset])
    }

    /// How many coupons `filter` lets through, counted up to `bound`: `bound + 1` means more than `bound`.
    public func countCoupons(matching filter: CouponFilter, upTo bound: Int) throws -> Int {
        let (conditions, arguments) = Self.conditions(filter)
        let sql = "SELECT count(*) FROM (SELECT 1 FROM coupon"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " LIMIT ?)"
        return try Int.fetchOne(try db.cachedStatement(sql: sql), arguments: arguments + [bound + 1]) ?? 0
    }

    private static func conditions(_ filter: CouponFilter) -> (conditions: [String], arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let type = filter.type {
            conditions.append("type = ?")
            arguments += [type.rawValue]
        }
        if let status = filter.status {
            conditions.append("wechat_status = ?")
            arguments += [status.rawValue]
        }
        if let state = filter.syncState {
            conditions.append("sync_state = ?")
            arguments += [state.rawValue]
        }
        if let text = filter.text, !text.isEmpty {
            let pattern = "%" + AppDatabase.CouponTables.escapingLike(text) + "%"
            conditions.append(#"(out_coupon_id LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\')"#)
            arguments += [pattern, pattern]
        }
        if filter.differsFromWeChat { conditions.append("wechat_differs IS NOT NULL") }
        if let failingBefore = filter.failingBefore {
            conditions.append("""
                (sync_state = \(SyncState.rejected.sql) OR (sync_state = \(SyncState.pending.sql) AND COALESCE(
                    (SELECT min(requested_at) FROM coupon_change
                     WHERE coupon_id = coupon.id AND user_coupon_id IS NULL AND state != \(ChangeState.sent.sql)),
                    created_at) <= ?))
                """)
            arguments += [failingBefore]
        }
        return (conditions, arguments)
    }
}
