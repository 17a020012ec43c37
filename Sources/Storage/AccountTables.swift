import Accounts
import GRDB

extension AppDatabase {
    /// Staff accounts, their sessions, and API keys: `staff_user`, `staff_session`, `api_key`.
    public struct AccountTables: Sendable {
        let writer: any DatabaseWriter
        let readers: DatabaseReaders
    }
}

/// A staff account, as stored.
public struct StaffUser: Sendable, Equatable {
    public var name: String
    public var role: Role
    /// `PasswordHash.stored`.
    public var passwordHash: String
    /// Unix seconds; a disabled account cannot log in.
    public var disabledAt: Int?
    public var createdAt: Int
    public var updatedAt: Int
}

/// An API key, as stored: never the key itself.
public struct StoredAPIKey: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var role: Role
    public var createdAt: Int
    public var lastUsedAt: Int?
    public var revokedAt: Int?
}

public enum AccountError: Error, Equatable, CustomStringConvertible {
    case nameTaken(String)
    /// The change would leave no live admin account.
    case lastAdmin(String)

    public var description: String {
        switch self {
        case .nameTaken(let name): "the name \(name) is taken"
        case .lastAdmin(let name): "\(name) is the last admin: make another admin first"
        }
    }
}

extension AppDatabase.AccountTables {
    // MARK: - Staff accounts

    public func addUser(name: String, role: Role, passwordHash: String, actor: String, now: Int) throws {
        try writer.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM staff_user WHERE name = ?", arguments: [name]) == nil else {
                throw AccountError.nameTaken(name)
            }
            try db.execute(
                sql: "INSERT INTO staff_user (name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, role.rawValue, passwordHash, now, now]
            )
            try AppDatabase.AuditTable.append(AuditEntry(at: now, actor: actor, action: "user.add", targetType: "user", target: name, details: Self.roleDetails(role)), in: db)
        }
    }

    public func users() throws -> [StaffUser] {
        try readers.read { db in try Row.fetchAll(db, sql: "SELECT \(Self.userColumns) FROM staff_user ORDER BY name").map(Self.user) }
    }

    public func user(named name: String) throws -> StaffUser? {
        try readers.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.userColumns) FROM staff_user WHERE name = ?"), arguments: [name]).map(Self.user)
        }
    }

    /// False when there is no such account; throws `AccountError.lastAdmin` rather than demote the last admin.
    public func setUserRole(name: String, role: Role, actor: String, now: Int) throws -> Bool {
        try updateUser(name, set: "role = ?", [role.rawValue], now: now, checking: .role(role), audit: AuditEntry(
            at: now, actor: actor, action: "user.set_role", targetType: "user", target: name, details: Self.roleDetails(role)))
    }

    /// Stores the same password hashed anew (stronger parameters); the account's sessions stay. False
    /// when there is no such account.
    public func rehashUserPassword(name: String, passwordHash: String, now: Int) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "UPDATE staff_user SET password_hash = ?, updated_at = ? WHERE name = ?", arguments: [passwordHash, now, name])
            return db.changesCount == 1
        }
    }

    /// Sets a new password chosen for the account and ends all its sessions. False when there is no
    /// such account.
    public func resetUserPassword(name: String, passwordHash: String, actor: String, now: Int) throws -> Bool {
        try updateUser(name, set: "password_hash = ?", [passwordHash], now: now, endingSessions: true, audit: AuditEntry(
            at: now, actor: actor, action: "user.reset_password", targetType: "user", target: name))
    }

    /// Sets `name`'s own password and ends every other session of the account (the one with `keptSession`,
    /// its id's hash, stays), entered in the audit log as done by the account itself. False when there
    /// is no such live account.
    public func changeOwnPassword(name: String, passwordHash: String, keptSession: String, now: Int) throws -> Bool {
        try writer.write { db in
            try db.execute(
                sql: "UPDATE staff_user SET password_hash = ?, updated_at = ? WHERE name = ? AND disabled_at IS NULL", arguments: [passwordHash, now, name]
            )
            guard db.changesCount == 1 else { return false }
            try db.execute(sql: "DELETE FROM staff_session WHERE user_name = ? AND id_hash != ?", arguments: [name, keptSession])
            let ended = db.changesCount
            try AppDatabase.AuditTable.append(
                AuditEntry(at: now, actor: name, action: "user.change_password", targetType: "user", target: name, details: #"{"sessions_ended":\#(ended)}"#),
                in: db
            )
            return true
        }
    }

    /// Ends the account's sessions and keeps it from logging in. False when there is no such account
    /// or it is disabled already; throws `AccountError.lastAdmin` rather than disable the last admin.
    public func disableUser(name: String, actor: String, now: Int) throws -> Bool {
        try updateUser(
            name, set: "disabled_at = ?", [now], now: now, onlyIf: "disabled_at IS NULL", checking: .disabled, endingSessions: true,
            audit: AuditEntry(at: now, actor: actor, action: "user.disable", targetType: "user", target: name)
        )
    }

    /// Lets a disabled account log in again. False when there is no such account or it is not disabled.
    public func enableUser(name: String, actor: String, now: Int) throws -> Bool {
        try updateUser(name, set: "disabled_at = NULL", [], now: now, onlyIf: "disabled_at IS NOT NULL", audit: AuditEntry(
            at: now, actor: actor, action: "user.enable", targetType: "user", target: name))
    }

    /// What a change does to an account's standing as an admin.
    private enum AdminChange {
        case role(Role)
        case disabled

        var newRole: Role? { if case .role(let role) = self { role } else { nil } }
    }

    /// With `change`, refuses one that leaves no live admin (`Role.leavesNoAdmin`).
    private func updateUser(
        _ name: String, set assignment: String, _ values: StatementArguments, now: Int, onlyIf condition: String = "1",
        checking change: AdminChange? = nil, endingSessions: Bool = false, audit: AuditEntry
    ) throws -> Bool {
        try writer.write { db in
            if let change, let row = try Row.fetchOne(
                db, sql: "SELECT role, disabled_at IS NULL AS live FROM staff_user WHERE name = ?", arguments: [name]
            ), row["live"] == true, let current = Role(rawValue: row["role"]) {
                let liveAdmins = try Int.fetchOne(db, sql: "SELECT count(*) FROM staff_user WHERE role = ? AND disabled_at IS NULL", arguments: [Role.admin.rawValue]) ?? 0
                if current.leavesNoAdmin(becoming: change.newRole, liveAdmins: liveAdmins) { throw AccountError.lastAdmin(name) }
            }
            try db.execute(
                sql: "UPDATE staff_user SET \(assignment), updated_at = ? WHERE name = ? AND \(condition)",
                arguments: values + [now, name]
            )
            guard db.changesCount == 1 else { return false }
            if endingSessions { try db.execute(sql: "DELETE FROM staff_session WHERE user_name = ?", arguments: [name]) }
            try AppDatabase.AuditTable.append(audit, in: db)
            return true
        }
    }

    private static func roleDetails(_ role: Role) -> String { #"{"role":""# + role.rawValue + #""}"# }

    private static let userColumns = "name, role, password_hash, disabled_at, created_at, updated_at"

    private static func user(_ row: Row) -> StaffUser {
        StaffUser(
            name: row["name"], role: Role(rawValue: row["role"]) ?? .viewer, passwordHash: row["password_hash"],
            disabledAt: row["disabled_at"], createdAt: row["created_at"], updatedAt: row["updated_at"]
        )
    }

    // MARK: - API keys

    public func addAPIKey(name: String, role: Role, keyHash: String, actor: String, now: Int) throws {
        try writer.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM api_key WHERE name = ?", arguments: [name]) == nil else {
                throw AccountError.nameTaken(name)
            }
            try db.execute(
                sql: "INSERT INTO api_key (name, role, key_hash, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, role.rawValue, keyHash, now]
            )
            try AppDatabase.AuditTable.append(AuditEntry(at: now, actor: actor, action: "key.create", targetType: "key", target: name, details: Self.roleDetails(role)), in: db)
        }
    }

    /// Every key, revoked ones included, oldest first.
    public func apiKeys() throws -> [StoredAPIKey] {
        try readers.read { db in try db.cachedStatement(sql: "SELECT \(Self.keyColumns) FROM api_key ORDER BY id").rows(Self.key) }
    }

    /// The live (not revoked) key with this hash.
    public func liveAPIKey(hash: String) throws -> StoredAPIKey? {
        try readers.read { try AppDatabase.Snapshot(db: $0).liveAPIKey(hash: hash) }
    }

    /// False when there is no such live key.
    public func revokeAPIKey(name: String, actor: String, now: Int) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "UPDATE api_key SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [now, name])
            guard db.changesCount == 1 else { return false }
            try AppDatabase.AuditTable.append(AuditEntry(at: now, actor: actor, action: "key.revoke", targetType: "key", target: name), in: db)
            return true
        }
    }

    /// Records that a key was used at `now`, at most once a minute, so that busy keys do not turn
    /// every read into a write.
    public func noteAPIKeyUse(_ key: StoredAPIKey, now: Int) throws {
        guard (key.lastUsedAt ?? Int.min) < now - 60 else { return }
        try writer.write { db in
            try db.executeCached(sql: "UPDATE api_key SET last_used_at = ? WHERE id = ?", arguments: [now, key.id])
        }
    }

    fileprivate static let keyColumns = "id, name, role, created_at, last_used_at, revoked_at"

    /// A row of `keyColumns`.
    fileprivate static func key(_ row: Columns) -> StoredAPIKey {
        StoredAPIKey(
            id: row.int64(0), name: row.text(1), role: Role(rawValue: row.text(2)) ?? .viewer,
            createdAt: row.integer(3), lastUsedAt: row.optionalInteger(4), revokedAt: row.optionalInteger(5)
        )
    }
}

extension AppDatabase.Snapshot {
    /// The live (not revoked) key with this hash.
    public func liveAPIKey(hash: String) throws -> StoredAPIKey? {
        try db.cachedStatement(sql: "SELECT \(AppDatabase.AccountTables.keyColumns) FROM api_key WHERE key_hash = ? AND revoked_at IS NULL")
            .row(arguments: [hash], AppDatabase.AccountTables.key)
    }
}
