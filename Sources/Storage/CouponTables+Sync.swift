import Coupons
import GRDB
import StrictJSON

/// One call to WeChat made for a coupon: when, which endpoint, and what came of it.
public struct SyncAttempt: Sendable, Equatable {
    public var at: Double
    public var endpoint: String
    /// WeChat's errcode, when it answered.
    public var errcode: Int?
    /// Why the call failed: WeChat's errmsg, or what went wrong when it did not answer.
    public var failure: String?
    public var durationMilliseconds: Double

    public init(at: Double, endpoint: String, errcode: Int?, failure: String?, durationMilliseconds: Double) {
        self.at = at
        self.endpoint = endpoint
        self.errcode = errcode
        self.failure = failure
        self.durationMilliseconds = durationMilliseconds
    }
}

/// Where an attempt leaves the coupon.
public enum SyncOutcome: Sendable, Equatable {
    /// WeChat has it, with this status and these times.
    case synced(status: CouponStatus, createTime: Int?, updateTime: Int?)
    /// WeChat refused it; retrying the same coupon cannot help.
    case rejected(reason: String)
    /// Not settled: try again at `retryAt` (unix seconds).
    case pending(reason: String, retryAt: Double)
}

/// A claim on a coupon's sync: the process holding it, and until when (unix seconds).
public struct SyncClaim: Sendable, Equatable {
    public var holder: String
    public var until: Double

    public init(holder: String, until: Double) {
        self.holder = holder
        self.until = until
    }
}

/// The coupons WeChat is not up to date with, for monitoring.
public struct SyncBacklog: Sendable, Equatable {
    /// Every coupon stored.
    public var coupons: Int
    /// Coupons still to be sent (`pending`), and since when the oldest work among them waits (unix
    /// seconds): the creation of a coupon WeChat does not have yet, or the request of a change not yet made.
    public var pending: Int
    public var oldestPendingSince: Int?
    /// Coupons WeChat refused, which wait for someone to fix them.
    public var rejected: Int
}

extension AppDatabase {
    /// How the audit log names the worker's own sync.
    public static let syncActor = "wechat-sync"
}

extension AppDatabase.CouponTables {
    /// Records an attempt and moves the coupon to its outcome (nil: leaves its state as it was), in
    /// one transaction, and ends `holder`'s claim on it. An outcome is also entered in the audit log as
    /// `action` by `actor`. Nil when there is no such coupon.
    ///
    /// `wechatBody` is the body WeChat is known to have after an `add` (the one sent, or the one `get`
    /// showed): when the coupon was edited meanwhile, an `update` with the newer body is queued.
    ///
    /// Async, like `claimSync`, because attempts run on Swift's few cooperative threads: the commit
    /// and its fsync wait on the database's own writer thread instead of holding one of them.
    @discardableResult
    public func recordSync(
        outCouponID: String, attempt: SyncAttempt, outcome: SyncOutcome?, wechatBody: String?, holder: String?, actor: String, action: String, now: Int
    ) async throws -> CouponRecord? {
        try await writer.write { db in
            guard let id = try Self.couponRow(outCouponID: outCouponID, in: db) else { return nil }
            try append(attempt, couponRow: id, in: db)
            // After an `add`, the claim is kept for the changes queued meanwhile.
            var queueLeft = false
            switch outcome {
            case .synced(let status, let createTime, let updateTime):
                let following = try Self.statusFollowing(weChat: status, couponRow: id, in: db)
                try db.executeCached(
                    sql: """
                        UPDATE coupon SET wechat_status = ?, wechat_create_time = ?, wechat_update_time = ?, next_sync_at = NULL, updated_at = ?, status = ?
                        WHERE id = ?
                        """,
                    arguments: [status.rawValue, createTime, updateTime, now, following.rawValue, id]
                )
                if status.isEditable, let wechatBody,
                   let body = try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM coupon WHERE id = ?"), arguments: [id]),
                   !Coupon.sameBody(body, wechatBody),
                   try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM coupon_change WHERE coupon_id = ? AND endpoint = \(CouponChange.Kind.update.sql) AND state = \(ChangeState.pending.sql)"), arguments: [id]) == 0
                {
                    try Self.queue(.update, couponRow: id, by: actor, now: now, in: db)
                }
                queueLeft = try Self.settle(couponRow: id, in: db) == .pending
            case .rejected(let reason):
                try db.executeCached(
                    sql: "UPDATE coupon SET sync_state = \(SyncState.rejected.sql), sync_error = ?, next_sync_at = NULL, updated_at = ? WHERE id = ?",
                    arguments: [reason, now, id]
                )
            case .pending(let reason, let retryAt):
                try db.executeCached(
                    sql: "UPDATE coupon SET sync_state = \(SyncState.pending.sql), sync_error = ?, next_sync_at = ?, updated_at = ? WHERE id = ?",
                    arguments: [reason, retryAt, now, id]
                )
            case nil:
                break
            }
            if let holder, !queueLeft { try Self.releaseClaim(couponRow: id, holder: holder, in: db) }
            if let outcome {
                try AppDatabase.AuditTable.append(
                    AuditEntry(at: now, actor: actor, action: action, targetType: "coupon", target: outCouponID, details: outcome.auditDetails(attempt)),
                    in: db
                )
            }
            return try Self.coupon(row: id, in: db)
        }
    }

    public func syncBacklog() throws -> SyncBacklog {
        try writer.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT count(*) FROM coupon) AS coupons, (SELECT count(*) FROM coupon WHERE sync_state = \(SyncState.pending.sql)) AS pending,
                    (SELECT count(*) FROM coupon WHERE sync_state = \(SyncState.rejected.sql)) AS rejected,
                    (SELECT min(created_at) FROM coupon WHERE sync_state = \(SyncState.pending.sql) AND wechat_status IS NULL) AS oldest_add,
                    (SELECT min(change.requested_at) FROM coupon JOIN coupon_change change ON change.coupon_id = coupon.id AND change.state = \(ChangeState.pending.sql)
                        WHERE coupon.sync_state = \(SyncState.pending.sql)) AS oldest_change
                """)!
            let since = [row["oldest_add"] as Int?, row["oldest_change"] as Int?].compactMap { $0 }.min()
            return SyncBacklog(coupons: row["coupons"], pending: row["pending"], oldestPendingSince: since, rejected: row["rejected"])
        }
    }

    /// The last failed WeChat call made for a coupon, if any.
    public func lastFailedSyncAttempt() throws -> (outCouponID: String, attempt: SyncAttempt)? {
        try writer.read { db in
            try Row.fetchOne(db, sql: """
                SELECT coupon.out_coupon_id, a.at, a.endpoint, a.errcode, a.failure, a.duration_ms
                FROM sync_attempt a JOIN coupon ON coupon.id = a.coupon_id WHERE a.failure IS NOT NULL ORDER BY a.id DESC LIMIT 1
                """).map { row in
                (row["out_coupon_id"], SyncAttempt(at: row["at"], endpoint: row["endpoint"], errcode: row["errcode"], failure: row["failure"], durationMilliseconds: row["duration_ms"]))
            }
        }
    }

    /// Records an attempt, counts it in the coupon's `sync_attempts_total`, and removes the coupon's
    /// attempts older than the newest `syncAttemptsKept`, so that a coupon retried for weeks stays small.
    func append(_ attempt: SyncAttempt, couponRow: Int64, in db: Database) throws {
        try db.executeCached(
            sql: "INSERT INTO sync_attempt (coupon_id, at, endpoint, errcode, failure, duration_ms) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [couponRow, attempt.at, attempt.endpoint, attempt.errcode, attempt.failure, attempt.durationMilliseconds]
        )
        try db.executeCached(sql: "UPDATE coupon SET sync_attempts_total = sync_attempts_total + 1 WHERE id = ?", arguments: [couponRow])
        try db.executeCached(
            sql: """
                DELETE FROM sync_attempt WHERE coupon_id = ?1
                    AND id <= (SELECT id FROM sync_attempt WHERE coupon_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)
                """,
            arguments: [couponRow, syncAttemptsKept]
        )
    }

    /// Ends `holder`'s claim on the coupon's sync, if it still holds it.
    static func releaseClaim(couponRow: Int64, holder: String, in db: Database) throws {
        try db.executeCached(
            sql: "UPDATE coupon SET sync_claimed_by = NULL, sync_claimed_until = NULL WHERE id = ? AND sync_claimed_by = ?",
            arguments: [couponRow, holder]
        )
    }

    /// Every attempt made for a coupon, oldest first.
    public func syncAttempts(outCouponID: String) throws -> [SyncAttempt] {
        try readers.read { db in
            let couponRow = try Self.couponRow(outCouponID: outCouponID, in: db)
            return try couponRow.map { try Self.syncAttempts(couponRow: $0, db) } ?? []
        }
    }

    /// A coupon, every attempt made for it and, unless it is synced, its changes still to send or refused:
    /// read together.
    public func couponWithAttemptsAndChanges(
        outCouponID: String
    ) throws -> (record: CouponRecord, attempts: [SyncAttempt], unsentChanges: [CouponChange])? {
        try readers.read { try AppDatabase.Snapshot(db: $0).couponWithAttemptsAndChanges(outCouponID: outCouponID) }
    }

    fileprivate static func syncAttempts(couponRow: Int64, _ db: Database) throws -> [SyncAttempt] {
        try db.cachedStatement(sql: "SELECT at, endpoint, errcode, failure, duration_ms FROM sync_attempt WHERE coupon_id = ? ORDER BY id")
            .rows(arguments: [couponRow]) {
            SyncAttempt(at: $0.double(0), endpoint: $0.text(1), errcode: $0.optionalInteger(2), failure: $0.optionalText(3), durationMilliseconds: $0.double(4))
        }
    }

    /// Takes the sync of one pending coupon for `lease` seconds, so that no other attempt (from this
    /// process or another) runs at the same time. Answers how many attempts were begun before: those
    /// recorded, plus one if a claim left by a process that died is taken over. Nil when the coupon is
    /// not pending or someone else's claim has not run out.
    public func claimSync(outCouponID: String, holder: String, now: Double, lease: Double) async throws -> Int? {
        try await writer.write { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, sync_claimed_by, sync_attempts_total FROM coupon WHERE out_coupon_id = ?"), arguments: [outCouponID]
            ) else { return nil }
            let id: Int64 = row["id"]
            try db.executeCached(
                sql: """
                    UPDATE coupon SET sync_claimed_by = ?, sync_claimed_until = ?
                    WHERE id = ? AND sync_state = \(SyncState.pending.sql) AND (sync_claimed_until IS NULL OR sync_claimed_until <= ?)
                    """,
                arguments: [holder, now + lease, id, now]
            )
            guard db.changesCount == 1 else { return nil }
            let recorded: Int = row["sync_attempts_total"]
            let abandoned: String? = row["sync_claimed_by"]
            return recorded + (abandoned == nil ? 0 : 1)
        }
    }

    /// Makes a rejected or pending coupon due for an attempt now, entered in the audit log as asked
    /// for by `actor`. False when there is no such coupon or it is synced.
    public func requeueSync(outCouponID: String, actor: String, now: Int) throws -> Bool {
        try writer.write { db in
            try db.executeCached(
                sql: """
                    UPDATE coupon SET sync_state = \(SyncState.pending.sql), next_sync_at = NULL, updated_at = ?
                    WHERE out_coupon_id = ? AND sync_state IN (\(SyncState.pending.sql), \(SyncState.rejected.sql))
                    """,
                arguments: [now, outCouponID]
            )
            guard db.changesCount == 1 else { return false }
            try db.executeCached(
                sql: """
                    UPDATE coupon_change SET state = \(ChangeState.pending.sql), attempts = 0
                    WHERE state = \(ChangeState.rejected.sql) AND user_coupon_id IS NULL AND coupon_id = (SELECT id FROM coupon WHERE out_coupon_id = ?)
                    """,
                arguments: [outCouponID]
            )
            try AppDatabase.AuditTable.append(AuditEntry(at: now, actor: actor, action: "coupon.sync_requested", targetType: "coupon", target: outCouponID), in: db)
            return true
        }
    }

    /// Pending coupons that nobody holds a live claim on, oldest first, from after `afterRow`: only those
    /// whose next attempt is due by `now`, or every one with `ignoringBackoff`.
    public func couponsDueForSync(now: Double, limit: Int, afterRow: Int64, ignoringBackoff: Bool) throws -> [(row: Int64, outCouponID: String)] {
        try readers.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, out_coupon_id FROM coupon WHERE sync_state = \(SyncState.pending.sql) AND id > ?
                        AND (? OR next_sync_at IS NULL OR next_sync_at <= ?)
                        AND (sync_claimed_until IS NULL OR sync_claimed_until <= ?)
                    ORDER BY id LIMIT ?
                    """,
                arguments: [afterRow, ignoringBackoff, now, now, limit]
            ).map { (row: $0[0], outCouponID: $0[1]) }
        }
    }
}

extension SyncOutcome {
    /// `{"state": "synced", "endpoint": "/shop/coupon/add", "errcode": 0, "status": 1}`, with the reason
    /// for a rejection or a retry.
    func auditDetails(_ attempt: SyncAttempt) -> String {
        var writer = JSONWriter(capacity: 128)
        writer.object {
            switch self {
            case .synced(let status, _, _):
                $0.member("state") { $0.string("synced") }
                $0.member("status") { $0.integer(status.rawValue) }
            case .rejected(let reason):
                $0.member("state") { $0.string("rejected") }
                $0.member("reason") { $0.string(reason) }
            case .pending(let reason, _):
                $0.member("state") { $0.string("pending") }
                $0.member("reason") { $0.string(reason) }
            }
            $0.member("endpoint") { $0.string(attempt.endpoint) }
            if let errcode = attempt.errcode { $0.member("errcode") { $0.integer(errcode) } }
        }
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

extension AppDatabase.Snapshot {
    /// A coupon, every attempt made for it and, unless it is synced, its changes still to send or refused.
    public func couponWithAttemptsAndChanges(
        outCouponID: String
    ) throws -> (record: CouponRecord, attempts: [SyncAttempt], unsentChanges: [CouponChange])? {
        let statement = try db.cachedStatement(sql: "SELECT \(CouponRecord.columns) FROM coupon WHERE out_coupon_id = ?")
        guard let record = try CouponRecord.readOne(statement, arguments: [outCouponID]), let row = record.id else { return nil }
        let changes = record.syncState == .synced ? [] : try AppDatabase.CouponTables.changes(couponRow: row, unsentOnly: true, in: db)
        return (record, try AppDatabase.CouponTables.syncAttempts(couponRow: row, db), changes)
    }
}
