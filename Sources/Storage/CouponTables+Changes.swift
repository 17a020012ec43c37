import Coupons
import GRDB
import StrictJSON

/// Every change to a coupon WeChat has is stored first, as a row of its queue (`coupon_change`), and
/// sent from there in order: edits (`update`), status changes (`update_status`), stock
/// (`update_coupon_stock`) and its user coupons' changes. A coupon WeChat does not have yet is sent
/// whole with `add`, so an edit of one only replaces what is stored.
///
/// A coupon's `sync_state` says where its queue stands: `pending` while anything is left to send,
/// `rejected` when WeChat refused the coupon or one of its own changes (the queue waits there until
/// the coupon is edited or a retry is asked for), `synced` when WeChat has everything.
/// A change waiting in (or sent from) a coupon's queue.
public struct CouponChange: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case update
        case updateStatus = "update_status"
        case updateCouponStock = "update_coupon_stock"
        case addUserCoupon = "add_user_coupon"
        case updateUserCoupon = "update_user_coupon"
        case updateUserCouponStatus = "update_usercoupon_status"
    }

    public var id: Int64
    public var kind: Kind
    /// The coupon's new status for `update_status`, the user coupon's for `add_user_coupon` and `update_usercoupon_status`.
    public var status: Int?
    public var issuedNum: Int?
    public var receiveNum: Int?
    public var useTime: Int?
    /// The user coupon the change is for, if it is.
    public var userCoupon: UserCouponRecord?
    public var state: ChangeState
    /// Attempts that ended without WeChat taking it.
    public var attempts: Int
    /// WeChat's errcode and the reason of the last failed attempt.
    public var errcode: Int?
    public var error: String?
    public var requestedBy: String
    /// Unix seconds.
    public var requestedAt: Int
    public var sentAt: Int?

    public init(
        id: Int64, kind: Kind, status: Int? = nil, issuedNum: Int? = nil, receiveNum: Int? = nil, useTime: Int? = nil, userCoupon: UserCouponRecord? = nil,
        state: ChangeState = .pending, attempts: Int = 0, errcode: Int? = nil, error: String? = nil, requestedBy: String, requestedAt: Int, sentAt: Int? = nil
    ) {
        self.id = id
        self.kind = kind
        self.status = status
        self.issuedNum = issuedNum
        self.receiveNum = receiveNum
        self.useTime = useTime
        self.userCoupon = userCoupon
        self.state = state
        self.attempts = attempts
        self.errcode = errcode
        self.error = error
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.sentAt = sentAt
    }
}

/// What asking for a change came to.
public enum ChangeOutcome: Sendable, Equatable {
    /// Stored and queued for WeChat.
    case queued(CouponRecord)
    /// Nothing to change: the coupon already is so.
    case unchanged(CouponRecord)
    case refused(ChangeRefusal)
}

/// What sending a change came to.
public enum ChangeResult: Sendable, Equatable {
    /// WeChat took it. For `update`, `sentBody` is the body sent: if the coupon was edited meanwhile
    /// the change stays queued, to send the newer body.
    case sent(sentBody: String?)
    case rejected(reason: String)
    case pending(reason: String, retryAt: Double)
}

extension AppDatabase.CouponTables {
    /// Replaces a coupon's body, while its status is 1. A coupon WeChat has gets an `update` queued (one
    /// at most: it sends the body as it is then); one WeChat does not have is sent with `add` as it is.
    public func editCoupon(_ coupon: Coupon, expecting expected: ExpectedVersion, by actor: String, now: Int) throws -> ChangeOutcome {
        let body = String(decoding: coupon.canonicalJSON, as: UTF8.self)
        return try writer.write { db in
            guard let stored = try Self.coupon(outCouponID: coupon.outCouponID, in: db), let id = stored.id else { return .refused(.noSuchCoupon) }
            if let answer = Self.answer(to: .edit(sameBody: Coupon.sameBody(stored.body, body)), on: stored, expecting: expected) { return answer }
            try db.executeCached(
                sql: """
                    UPDATE coupon SET body = ?, type = ?, name = ?, wechat_differs = NULL, sync_error = NULL, version = version + 1, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [body, coupon.type.rawValue, coupon.couponInfo.name, now, id]
            )
            if stored.wechatStatus == nil {
                try db.executeCached(sql: "UPDATE coupon SET sync_state = \(SyncState.pending.sql), next_sync_at = NULL WHERE id = ?", arguments: [id])
            } else {
                try db.executeCached(
                    sql: """
                        UPDATE coupon_change SET state = \(ChangeState.pending.sql), attempts = 0, errcode = NULL, error = NULL, requested_by = ?, requested_at = ?
                        WHERE coupon_id = ? AND endpoint = \(CouponChange.Kind.update.sql) AND state != \(ChangeState.sent.sql)
                        """,
                    arguments: [actor, now, id]
                )
                if db.changesCount == 0 { try Self.queue(.update, couponRow: id, by: actor, now: now, in: db) }
                try Self.settle(couponRow: id, in: db)
            }
            try AppDatabase.AuditTable.append(
                AuditEntry(at: now, actor: actor, action: "coupon.update", targetType: "coupon", target: coupon.outCouponID,
                           details: Self.editDetails(from: stored.body, to: body)),
                in: db
            )
            return .queued(try Self.coupon(row: id, in: db))
        }
    }

    /// An edit's audit details: the new body, and each field that changed with its value before and
    /// after (`{"coupon": {...}, "changed": [{"field": "coupon_info.name", "from": "A", "to": "B"}]}`).
    static func editDetails(from stored: String, to body: String) -> String {
        let before = try? JSONParser.parse(Array(stored.utf8)), after = try? JSONParser.parse(Array(body.utf8))
        let changed = before.flatMap { before in after.map { before.differences(from: $0) } } ?? []
        return AppDatabase.AuditTable.details {
            $0.member("coupon") { $0.object(extending: body) { _ in } }
            $0.member("changed") { list in
                list.array {
                    for change in changed {
                        $0.object {
                            $0.member("field") { $0.string(change.path) }
                            if let from = change.mine { $0.member("from") { $0.value(from) } }
                            if let to = change.theirs { $0.member("to") { $0.value(to) } }
                        }
                    }
                }
            }
        }
    }

    /// Queues a status change: only WeChat's transitions, from the status the coupon has here (which
    /// counts the changes still queued).
    public func requestStatus(_ status: CouponStatus, outCouponID: String, expecting expected: ExpectedVersion, by actor: String, now: Int) throws -> ChangeOutcome {
        try writer.write { db in
            guard let stored = try Self.coupon(outCouponID: outCouponID, in: db), let id = stored.id else { return .refused(.noSuchCoupon) }
            if let answer = Self.answer(to: .status(status), on: stored, expecting: expected) { return answer }
            let current = CouponStatus(rawValue: stored.status) ?? .notActive
            try db.executeCached(sql: "UPDATE coupon SET status = ?, version = version + 1, updated_at = ? WHERE id = ?", arguments: [status.rawValue, now, id])
            try Self.queue(.updateStatus, couponRow: id, status: status.rawValue, by: actor, now: now, in: db)
            try Self.settle(couponRow: id, in: db)
            try AppDatabase.AuditTable.append(
                AuditEntry(at: now, actor: actor, action: "coupon.set_status", targetType: "coupon", target: outCouponID, details: AppDatabase.AuditTable.details {
                    $0.member("from") { $0.integer(current.rawValue) }
                    $0.member("to") { $0.integer(status.rawValue) }
                }),
                in: db
            )
            return .queued(try Self.coupon(row: id, in: db))
        }
    }

    /// Queues a stock update for an active coupon.
    public func requestStock(
        issuedNum: Int, receiveNum: Int, outCouponID: String, expecting expected: ExpectedVersion, by actor: String, now: Int
    ) throws -> ChangeOutcome {
        try writer.write { db in
            guard let stored = try Self.coupon(outCouponID: outCouponID, in: db), let id = stored.id else { return .refused(.noSuchCoupon) }
            if let answer = Self.answer(to: .stock, on: stored, expecting: expected) { return answer }
            try db.executeCached(
                sql: "UPDATE coupon SET issued_num = ?, receive_num = ?, version = version + 1, updated_at = ? WHERE id = ?",
                arguments: [issuedNum, receiveNum, now, id]
            )
            try Self.queue(.updateCouponStock, couponRow: id, issuedNum: issuedNum, receiveNum: receiveNum, by: actor, now: now, in: db)
            try Self.settle(couponRow: id, in: db)
            try AppDatabase.AuditTable.append(
                AuditEntry(at: now, actor: actor, action: "coupon.set_stock", targetType: "coupon", target: outCouponID, details: AppDatabase.AuditTable.details {
                    $0.member("issued_num") { $0.integer(issuedNum) }
                    $0.member("receive_num") { $0.integer(receiveNum) }
                }),
                in: db
            )
            return .queued(try Self.coupon(row: id, in: db))
        }
    }

    /// What asking `request` of the stored coupon comes to without storing anything: refused when it was
    /// made against another version than `expected`, else as WeChat's rules decide
    /// (`CouponChangeRequest.decision`); nil when the change is to be stored and queued.
    private static func answer(to request: CouponChangeRequest, on stored: CouponRecord, expecting expected: ExpectedVersion) -> ChangeOutcome? {
        guard expected.allows(stored.version) else { return .refused(.staleVersion(current: stored.version)) }
        switch request.decision(status: CouponStatus(rawValue: stored.status) ?? .notActive, syncState: stored.syncState, syncError: stored.syncError) {
        case .refuse(let refusal): return .refused(refusal)
        case .unchanged: return .unchanged(stored)
        case .queue: return nil
        }
    }

    /// The oldest change of the coupon's queue that is still to be sent.
    public func nextChange(outCouponID: String) throws -> CouponChange? {
        try readers.read { db in
            guard let (unsent, userCouponRow) = try db.cachedStatement(sql: """
                SELECT \(Self.changeColumns) FROM coupon_change ch JOIN coupon c ON c.id = ch.coupon_id
                WHERE c.out_coupon_id = ? AND ch.state = \(ChangeState.pending.sql) ORDER BY ch.id LIMIT 1
                """
            ).row(arguments: [outCouponID], { (Self.change($0), $0.optionalInt64(ChangeColumn.userCouponRow)) }) else { return nil }
            var change = unsent
            change.userCoupon = try userCouponRow.map { try Self.userCoupon(row: $0, in: db) }
            return change
        }
    }

    /// Every change of a coupon's queue, oldest first; with `unsentOnly`, those still to send or refused.
    public func changes(outCouponID: String, unsentOnly: Bool) throws -> [CouponChange] {
        try readers.read { db in
            let couponRow = try Self.couponRow(outCouponID: outCouponID, in: db)
            return try couponRow.map { try Self.changes(couponRow: $0, unsentOnly: unsentOnly, in: db) } ?? []
        }
    }

    static func changes(couponRow: Int64, unsentOnly: Bool, in db: Database) throws -> [CouponChange] {
        try db.cachedStatement(sql: "SELECT \(changeColumns) FROM coupon_change ch WHERE ch.coupon_id = ? AND (? = 0 OR ch.state != \(ChangeState.sent.sql)) ORDER BY ch.id")
            .rows(arguments: [couponRow, unsentOnly], change)
    }

    /// The select list of a change (`ch`).
    private enum ChangeColumn: Int32, SelectList {
        case id, kind, status, issuedNum, receiveNum, useTime, userCouponRow, state, attempts, errcode, error, requestedBy, requestedAt, sentAt

        var name: String {
            switch self {
            case .id: "ch.id"
            case .kind: "ch.endpoint"
            case .status: "ch.status"
            case .issuedNum: "ch.issued_num"
            case .receiveNum: "ch.receive_num"
            case .useTime: "ch.use_time"
            case .userCouponRow: "ch.user_coupon_id"
            case .state: "ch.state"
            case .attempts: "ch.attempts"
            case .errcode: "ch.errcode"
            case .error: "ch.error"
            case .requestedBy: "ch.requested_by"
            case .requestedAt: "ch.requested_at"
            case .sentAt: "ch.sent_at"
            }
        }
    }

    private static let changeColumns = ChangeColumn.sql

    /// A row of `changeColumns`, without its user coupon.
    private static func change(_ row: Columns) -> CouponChange {
        typealias C = ChangeColumn
        return CouponChange(
            id: row.int64(C.id), kind: CouponChange.Kind(rawValue: row.text(C.kind)) ?? .update, status: row.optionalInteger(C.status),
            issuedNum: row.optionalInteger(C.issuedNum), receiveNum: row.optionalInteger(C.receiveNum), useTime: row.optionalInteger(C.useTime),
            userCoupon: nil, state: ChangeState(rawValue: row.text(C.state)) ?? .pending, attempts: row.integer(C.attempts),
            errcode: row.optionalInteger(C.errcode), error: row.optionalText(C.error), requestedBy: row.text(C.requestedBy),
            requestedAt: row.integer(C.requestedAt), sentAt: row.optionalInteger(C.sentAt)
        )
    }

    /// Records an attempt to send `change` and what came of it, moves the coupon's queue on, and enters
    /// it in the audit log, in one transaction. While more is left to send after a change WeChat took
    /// (or refused, for a user coupon), `holder`'s claim is renewed until `claimUntil`; otherwise it ends.
    public func recordChange(
        _ change: CouponChange, outCouponID: String, attempt: SyncAttempt, result: ChangeResult, holder: String, claimUntil: Double, now: Int
    ) async throws -> (record: CouponRecord, moreToSend: Bool) {
        try await writer.write { db in
            guard let couponRow = try Self.couponRow(outCouponID: outCouponID, in: db) else {
                throw DatabaseError(message: "no coupon \(outCouponID)")
            }
            try append(attempt, couponRow: couponRow, in: db)
            let userCouponRow = change.userCoupon?.id
            var auditState: String
            var reason: String?
            switch result {
            case .sent(let sentBody):
                let body = try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM coupon WHERE id = ?"), arguments: [couponRow])
                if change.kind == .update, let sentBody, let body, !Coupon.sameBody(sentBody, body) {
                    auditState = "sent_older_body"
                } else {
                    auditState = "sent"
                    try db.executeCached(sql: "UPDATE coupon_change SET state = \(ChangeState.sent.sql), errcode = 0, error = NULL, sent_at = ? WHERE id = ?", arguments: [now, change.id])
                    try Self.applySent(change, couponRow: couponRow, now: now, in: db)
                }
            case .rejected(let why):
                auditState = "rejected"
                reason = why
                try db.executeCached(
                    sql: "UPDATE coupon_change SET state = \(ChangeState.rejected.sql), attempts = attempts + 1, errcode = ?, error = ? WHERE id = ?",
                    arguments: [attempt.errcode, why, change.id]
                )
                if let userCouponRow {
                    try db.executeCached(
                        sql: "UPDATE user_coupon SET sync_state = \(SyncState.rejected.sql), sync_error = ?, updated_at = ? WHERE id = ?",
                        arguments: [why, now, userCouponRow]
                    )
                } else {
                    try db.executeCached(sql: "UPDATE coupon SET sync_error = ? WHERE id = ?", arguments: [why, couponRow])
                }
            case .pending(let why, let retryAt):
                auditState = "pending"
                reason = why
                try db.executeCached(
                    sql: "UPDATE coupon_change SET attempts = attempts + 1, errcode = ?, error = ? WHERE id = ?",
                    arguments: [attempt.errcode, why, change.id]
                )
                try db.executeCached(sql: "UPDATE coupon SET sync_error = ?, next_sync_at = ? WHERE id = ?", arguments: [why, retryAt, couponRow])
            }
            let state = try Self.settle(couponRow: couponRow, in: db)
            let ended: ChangeState = switch result {
            case .sent: .sent
            case .rejected: .rejected
            case .pending: .pending
            }
            let moreToSend: Bool
            if ChangeState.queueGoesOn(after: ended, forUserCoupon: userCouponRow != nil, coupon: state) {
                moreToSend = true
                try db.executeCached(
                    sql: "UPDATE coupon SET sync_claimed_until = ? WHERE id = ? AND sync_claimed_by = ?", arguments: [claimUntil, couponRow, holder]
                )
            } else {
                moreToSend = false
                try Self.releaseClaim(couponRow: couponRow, holder: holder, in: db)
            }
            let details = AppDatabase.AuditTable.details {
                $0.member("state") { $0.string(auditState) }
                if let reason { $0.member("reason") { $0.string(reason) } }
                $0.member("endpoint") { $0.string(attempt.endpoint) }
                if let errcode = attempt.errcode { $0.member("errcode") { $0.integer(errcode) } }
                if let userCoupon = change.userCoupon { $0.member("out_user_coupon_id") { $0.string(userCoupon.outUserCouponID) } }
            }
            try AppDatabase.AuditTable.append(
                AuditEntry(at: now, actor: AppDatabase.syncActor, action: "coupon.sync", targetType: "coupon", target: outCouponID, details: details),
                in: db
            )
            return (try Self.coupon(row: couponRow, in: db), moreToSend)
        }
    }

    /// What WeChat taking a change means here.
    private static func applySent(_ change: CouponChange, couponRow: Int64, now: Int, in db: Database) throws {
        switch change.kind {
        case .updateStatus:
            try db.executeCached(sql: "UPDATE coupon SET wechat_status = ? WHERE id = ?", arguments: [change.status, couponRow])
        case .update, .updateCouponStock:
            break
        case .addUserCoupon, .updateUserCoupon, .updateUserCouponStatus:
            guard let userCouponRow = change.userCoupon?.id else { return }
            try db.executeCached(
                sql: """
                    UPDATE user_coupon SET sync_state = \(SyncState.synced.sql), sync_error = NULL, updated_at = ?
                    WHERE id = ? AND NOT EXISTS (SELECT 1 FROM coupon_change WHERE user_coupon_id = ? AND state != \(ChangeState.sent.sql))
                    """,
                arguments: [now, userCouponRow, userCouponRow]
            )
        }
    }

    static func queue(
        _ kind: CouponChange.Kind, couponRow: Int64, status: Int? = nil, issuedNum: Int? = nil, receiveNum: Int? = nil, userCouponRow: Int64? = nil,
        useTime: Int? = nil, by actor: String, now: Int, in db: Database
    ) throws {
        try db.executeCached(
            sql: """
                INSERT INTO coupon_change (coupon_id, user_coupon_id, endpoint, status, issued_num, receive_num, use_time, state, requested_by, requested_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, \(ChangeState.pending.sql), ?, ?)
                """,
            arguments: [couponRow, userCouponRow, kind.rawValue, status, issuedNum, receiveNum, useTime, actor, now]
        )
    }

    /// The status the coupon takes now that WeChat's is learnt (`CouponStatus.following`).
    static func statusFollowing(weChat: CouponStatus, couponRow: Int64, in db: Database) throws -> CouponStatus {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT status, EXISTS (
                    SELECT 1 FROM coupon_change
                    WHERE coupon_id = coupon.id AND endpoint = \(CouponChange.Kind.updateStatus.sql) AND state != \(ChangeState.sent.sql)
                ) AS unsent FROM coupon WHERE id = ?
                """),
            arguments: [couponRow]
        )
        guard let row else { throw DatabaseError(message: "no coupon row \(couponRow)") }
        let current = CouponStatus(rawValue: row["status"]) ?? .notActive
        return current.following(weChat: weChat, statusChangeUnsent: row["unsent"])
    }

    /// Sets a coupon's sync state from where WeChat stands and its queue (`SyncState.settled`); a synced
    /// coupon keeps no error and waits for nothing.
    @discardableResult
    static func settle(couponRow: Int64, in db: Database) throws -> SyncState {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT sync_state, wechat_status IS NOT NULL AS wechat_has_coupon,
                    EXISTS (
                        SELECT 1 FROM coupon_change WHERE coupon_id = coupon.id AND state = \(ChangeState.rejected.sql) AND user_coupon_id IS NULL
                    ) AS refused_coupon_change,
                    EXISTS (SELECT 1 FROM coupon_change WHERE coupon_id = coupon.id AND state = \(ChangeState.pending.sql)) AS change_to_send
                FROM coupon WHERE id = ?
                """),
            arguments: [couponRow]
        )
        guard let row else { throw DatabaseError(message: "no coupon row \(couponRow)") }
        let state = SyncState.settled(
            from: row["sync_state"], weChatHasCoupon: row["wechat_has_coupon"], refusedCouponChange: row["refused_coupon_change"],
            changeToSend: row["change_to_send"]
        )
        if state == .synced {
            try db.executeCached(sql: "UPDATE coupon SET sync_state = ?, sync_error = NULL, next_sync_at = NULL WHERE id = ?", arguments: [state, couponRow])
        } else {
            try db.executeCached(sql: "UPDATE coupon SET sync_state = ? WHERE id = ?", arguments: [state, couponRow])
        }
        return state
    }

    static func coupon(row: Int64, in db: Database) throws -> CouponRecord {
        guard let record = try CouponRecord.readOne(
            try db.cachedStatement(sql: "SELECT \(CouponRecord.columns) FROM coupon WHERE id = ?"), arguments: [row]
        ) else { throw DatabaseError(message: "no coupon row \(row)") }
        return record
    }
}
