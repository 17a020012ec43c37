import Coupons
import GRDB
import StrictJSON

/// A coupon a user (an openid) claimed: stored here first, then sent to WeChat through its coupon's
/// queue (`add_user_coupon`, then `update_user_coupon` and `update_usercoupon_status`).
public struct UserCouponRecord: Sendable, Equatable {
    public var id: Int64
    public var outUserCouponID: String
    public var openID: String
    public var outCouponID: String
    /// 100 active, 101 expired, 102 used.
    public var status: Int
    /// Unix seconds.
    public var receiveTime: Int
    public var useTime: Int?
    public var syncState: SyncState
    public var syncError: String?
    public var createdBy: String?
    public var createdAt: Int
    public var updatedAt: Int

    public init(
        id: Int64, outUserCouponID: String, openID: String, outCouponID: String, status: Int, receiveTime: Int, useTime: Int? = nil,
        syncState: SyncState, syncError: String? = nil, createdBy: String? = nil, createdAt: Int, updatedAt: Int
    ) {
        self.id = id
        self.outUserCouponID = outUserCouponID
        self.openID = openID
        self.outCouponID = outCouponID
        self.status = status
        self.receiveTime = receiveTime
        self.useTime = useTime
        self.syncState = syncState
        self.syncError = syncError
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Why a user coupon was not stored or changed.
public enum UserCouponRefusal: Error, Sendable, Equatable {
    case noSuchCoupon
    case noSuchUserCoupon
    /// The coupon's rules refuse the claim (`Coupon.claimRefusal`).
    case claim(ClaimRefusal)
    case couponSyncRejected(reason: String)
    /// The id is taken by another user's or another coupon's claim.
    case idTaken(UserCouponRecord)
    /// WeChat refused the claim; it cannot be changed.
    case claimRejected(reason: String)
}

public enum UserCouponOutcome: Sendable, Equatable {
    case queued(UserCouponRecord)
    /// The same claim was stored before, or the change asked for is already so.
    case unchanged(UserCouponRecord)
    case refused(UserCouponRefusal)
}

extension AppDatabase.CouponTables {
    /// Stores a claim of an active coupon by `openID` and queues `add_user_coupon`, after the checks WeChat
    /// leaves to the merchant: the claim window, `limit_num_one_person` and `total_num`.
    public func claimUserCoupon(
        outUserCouponID: String, openID: String, outCouponID: String, receiveTime: Int, by actor: String, now: Int
    ) throws -> UserCouponOutcome {
        try writer.write { db in
            if let stored = try Self.userCoupon(outUserCouponID: outUserCouponID, in: db) {
                let same = stored.openID == openID && stored.outCouponID == outCouponID && stored.receiveTime == receiveTime
                return same ? .unchanged(stored) : .refused(.idTaken(stored))
            }
            guard let coupon = try Self.coupon(outCouponID: outCouponID, in: db), let couponRow = coupon.id, let body = coupon.coupon else {
                return .refused(.noSuchCoupon)
            }
            let status = CouponStatus(rawValue: coupon.status) ?? .notActive
            if status == .active, coupon.syncState == .rejected { return .refused(.couponSyncRejected(reason: coupon.syncError ?? "")) }
            let claims = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT count(*) AS all_claims, count(*) FILTER (WHERE openid = ?) AS by_user FROM user_coupon WHERE coupon_id = ?"),
                arguments: [openID, couponRow]
            )
            if let refusal = body.claimRefusal(
                status: status, receiveTime: receiveTime, claimsByUser: claims?["by_user"] ?? 0, claimsInAll: claims?["all_claims"] ?? 0
            ) {
                return .refused(.claim(refusal))
            }
            try db.executeCached(
                sql: """
                    INSERT INTO user_coupon (out_user_coupon_id, openid, coupon_id, status, recv_time, sync_state, created_by, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, \(SyncState.pending.sql), ?, ?, ?)
                    """,
                arguments: [outUserCouponID, openID, couponRow, UserCouponStatus.active.rawValue, receiveTime, actor, now, now]
            )
            let row = db.lastInsertedRowID
            try Self.queue(.addUserCoupon, couponRow: couponRow, status: UserCouponStatus.active.rawValue, userCouponRow: row, by: actor, now: now, in: db)
            try Self.settle(couponRow: couponRow, in: db)
            try AppDatabase.AuditTable.append(
                AuditEntry(at: now, actor: actor, action: "user_coupon.add", targetType: "coupon", target: outCouponID, details: AppDatabase.AuditTable.details {
                    $0.member("out_user_coupon_id") { $0.string(outUserCouponID) }
                    $0.member("openid") { $0.string(openID) }
                }),
                in: db
            )
            return .queued(try Self.userCoupon(row: row, in: db))
        }
    }

    /// Records when the user used the coupon and queues `update_user_coupon`.
    public func setUserCouponUseTime(_ useTime: Int, outUserCouponID: String, by actor: String, now: Int) throws -> UserCouponOutcome {
        try changeUserCoupon(outUserCouponID, by: actor, now: now) { stored, db in
            if stored.useTime == useTime { return false }
            try db.executeCached(sql: "UPDATE user_coupon SET use_time = ?, updated_at = ? WHERE id = ?", arguments: [useTime, now, stored.id])
            return true
        } queue: { stored, couponRow, db in
            try Self.queue(.updateUserCoupon, couponRow: couponRow, userCouponRow: stored.id, useTime: useTime, by: actor, now: now, in: db)
            return ("user_coupon.set_use_time", [("use_time", useTime)])
        }
    }

    /// Sets the user coupon's status and queues `update_usercoupon_status`.
    public func setUserCouponStatus(_ status: UserCouponStatus, outUserCouponID: String, by actor: String, now: Int) throws -> UserCouponOutcome {
        try changeUserCoupon(outUserCouponID, by: actor, now: now) { stored, db in
            if stored.status == status.rawValue { return false }
            try db.executeCached(sql: "UPDATE user_coupon SET status = ?, updated_at = ? WHERE id = ?", arguments: [status.rawValue, now, stored.id])
            return true
        } queue: { stored, couponRow, db in
            try Self.queue(.updateUserCouponStatus, couponRow: couponRow, status: status.rawValue, userCouponRow: stored.id, by: actor, now: now, in: db)
            return ("user_coupon.set_status", [("from", stored.status), ("to", status.rawValue)])
        }
    }

    /// The shared steps of a change to a stored claim: `apply` stores it (false: nothing to change),
    /// `queue` queues its call and names its audit action and details.
    private func changeUserCoupon(
        _ outUserCouponID: String, by actor: String, now: Int,
        apply: @escaping (UserCouponRecord, Database) throws -> Bool,
        queue: @escaping (UserCouponRecord, Int64, Database) throws -> (action: String, details: [(String, Int)])
    ) throws -> UserCouponOutcome {
        try writer.write { db in
            guard let stored = try Self.userCoupon(outUserCouponID: outUserCouponID, in: db) else { return .refused(.noSuchUserCoupon) }
            if stored.syncState == .rejected { return .refused(.claimRejected(reason: stored.syncError ?? "")) }
            guard try apply(stored, db) else { return .unchanged(stored) }
            guard let couponRow = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coupon_id FROM user_coupon WHERE id = ?"), arguments: [stored.id]) else {
                return .refused(.noSuchUserCoupon)
            }
            let (action, details) = try queue(stored, couponRow, db)
            try db.executeCached(sql: "UPDATE user_coupon SET sync_state = \(SyncState.pending.sql) WHERE id = ?", arguments: [stored.id])
            try Self.settle(couponRow: couponRow, in: db)
            let entry = AuditEntry(at: now, actor: actor, action: action, targetType: "coupon", target: stored.outCouponID, details: AppDatabase.AuditTable.details {
                $0.member("out_user_coupon_id") { $0.string(outUserCouponID) }
                for (name, value) in details { $0.member(name) { $0.integer(value) } }
            })
            try AppDatabase.AuditTable.append(entry, in: db)
            return .queued(try Self.userCoupon(row: stored.id, in: db))
        }
    }

    public func userCoupon(outUserCouponID: String) throws -> UserCouponRecord? {
        try readers.read { db in try Self.userCoupon(outUserCouponID: outUserCouponID, in: db) }
    }

    /// A user's coupons as stored here, oldest first, from `offset`.
    public func userCoupons(openID: String, limit: Int, offset: Int) throws -> (total: Int, records: [UserCouponRecord]) {
        try readers.read { db in
            let total = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM user_coupon WHERE openid = ?"), arguments: [openID]) ?? 0
            let records = try Row.fetchAll(
                db.cachedStatement(sql: "\(Self.userCouponSelect) WHERE u.openid = ? ORDER BY u.id LIMIT ? OFFSET ?"), arguments: [openID, limit, offset]
            ).map(Self.userCouponRecord)
            return (total, records)
        }
    }

    /// Up to `limit` user coupons whose last change WeChat refused, newest first.
    public func rejectedUserCoupons(limit: Int) throws -> [UserCouponRecord] {
        try readers.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "\(Self.userCouponSelect) WHERE u.sync_state = \(SyncState.rejected.sql) ORDER BY u.updated_at DESC, u.id DESC LIMIT ?"),
                arguments: [limit]
            ).map(Self.userCouponRecord)
        }
    }

    private static let userCouponSelect = """
        SELECT u.id, u.out_user_coupon_id, u.openid, c.out_coupon_id, u.status, u.recv_time, u.use_time, u.sync_state, u.sync_error,
            u.created_by, u.created_at, u.updated_at
        FROM user_coupon u JOIN coupon c ON c.id = u.coupon_id
        """

    static func userCoupon(outUserCouponID: String, in db: Database) throws -> UserCouponRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "\(userCouponSelect) WHERE u.out_user_coupon_id = ?"), arguments: [outUserCouponID]).map(userCouponRecord)
    }

    static func userCoupon(row: Int64, in db: Database) throws -> UserCouponRecord {
        guard let record = try Row.fetchOne(db.cachedStatement(sql: "\(userCouponSelect) WHERE u.id = ?"), arguments: [row]).map(userCouponRecord) else {
            throw DatabaseError(message: "no user coupon row \(row)")
        }
        return record
    }

    private static func userCouponRecord(_ row: Row) -> UserCouponRecord {
        UserCouponRecord(
            id: row["id"], outUserCouponID: row["out_user_coupon_id"], openID: row["openid"], outCouponID: row["out_coupon_id"],
            status: row["status"], receiveTime: row["recv_time"], useTime: row["use_time"], syncState: row["sync_state"],
            syncError: row["sync_error"], createdBy: row["created_by"], createdAt: row["created_at"], updatedAt: row["updated_at"]
        )
    }
}
