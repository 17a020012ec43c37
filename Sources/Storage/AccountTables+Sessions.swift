import Accounts
import GRDB

/// A staff login, found by the hash of its id (the id itself is only ever in the browser's cookie).
public struct StoredSession: Sendable, Equatable {
    public var userName: String
    public var role: Role
    /// Whether the account has been disabled since the login.
    public var userDisabled: Bool
    /// Bound to the session: every form that changes something must carry it.
    public var csrfToken: String
    /// Unix seconds.
    public var createdAt: Int
    public var lastSeenAt: Int
}

extension AppDatabase.AccountTables {
    /// Starts a session for `userName`, ending the one the browser came with (`replacing`), if any:
    /// a login always gets a new id. Recorded in the audit log. Sessions unused since `idleSince`, or
    /// made before `madeBefore`, are deleted meanwhile: they can never be used again, and so the table
    /// holds no more rows than there are logins within a session's lifetime.
    public func startSession(
        idHash: String, userName: String, csrfToken: String, replacing oldHash: String?, now: Int, idleSince: Int, madeBefore: Int
    ) throws {
        try writer.write { db in
            if let oldHash { try db.execute(sql: "DELETE FROM staff_session WHERE id_hash = ?", arguments: [oldHash]) }
            try db.execute(sql: "DELETE FROM staff_session WHERE last_seen_at < ? OR created_at < ?", arguments: [idleSince, madeBefore])
            try db.execute(
                sql: "INSERT INTO staff_session (id_hash, user_name, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [idHash, userName, csrfToken, now, now]
            )
            try AppDatabase.AuditTable.append(AuditEntry(at: now, actor: userName, action: "user.login", targetType: "user", target: userName), in: db)
        }
    }

    public func session(idHash: String) throws -> StoredSession? {
        try readers.read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT s.user_name, u.role, u.disabled_at, s.csrf_token, s.created_at, s.last_seen_at
                    FROM staff_session s JOIN staff_user u ON u.name = s.user_name WHERE s.id_hash = ?
                    """),
                arguments: [idHash]
            ).map { row in
                StoredSession(
                    userName: row[0], role: Role(rawValue: row[1]) ?? .viewer, userDisabled: row[2] as Int? != nil,
                    csrfToken: row[3], createdAt: row[4], lastSeenAt: row[5]
                )
            }
        }
    }

    /// Keeps a session from going idle; written at most once a minute.
    public func touchSession(idHash: String, lastSeenAt: Int, now: Int) throws {
        guard lastSeenAt < now - 60 else { return }
        try writer.write { db in
            try db.executeCached(sql: "UPDATE staff_session SET last_seen_at = ? WHERE id_hash = ?", arguments: [now, idHash])
        }
    }

    /// Ends a session (logout, or found expired), recorded in the audit log when `actor` logged out.
    public func endSession(idHash: String, loggedOut actor: String?, now: Int) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM staff_session WHERE id_hash = ?", arguments: [idHash])
            if let actor, db.changesCount == 1 {
                try AppDatabase.AuditTable.append(AuditEntry(at: now, actor: actor, action: "user.logout", targetType: "user", target: actor), in: db)
            }
        }
    }
}
