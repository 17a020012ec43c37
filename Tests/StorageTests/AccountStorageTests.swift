import Accounts
import Testing
@testable import Storage

/// Staff accounts and API keys on a real file.
@Suite struct AccountStorageTests {
    @Test func usersAreAddedListedChangedAndDisabled() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        try database.accounts.addUser(name: "li.wei", role: .editor, passwordHash: "hash-1", actor: "cli:root", now: 10)
        try database.accounts.addUser(name: "admin", role: .admin, passwordHash: "hash-2", actor: "cli:root", now: 11)
        #expect(throws: AccountError.nameTaken("admin")) {
            try database.accounts.addUser(name: "admin", role: .viewer, passwordHash: "other", actor: "cli:root", now: 12)
        }
        #expect(try database.accounts.users().map(\.name) == ["admin", "li.wei"])
        #expect(try database.accounts.user(named: "admin")?.passwordHash == "hash-2")

        #expect(try database.accounts.setUserRole(name: "li.wei", role: .viewer, actor: "cli:root", now: 20))
        #expect(try database.accounts.resetUserPassword(name: "li.wei", passwordHash: "hash-3", actor: "cli:root", now: 21))
        #expect(try database.accounts.disableUser(name: "li.wei", actor: "cli:root", now: 22))
        #expect(try !database.accounts.disableUser(name: "li.wei", actor: "cli:root", now: 23))
        let changed = try #require(try database.accounts.user(named: "li.wei"))
        #expect(changed.role == .viewer && changed.passwordHash == "hash-3" && changed.disabledAt == 22 && changed.updatedAt == 22)

        #expect(try !database.accounts.setUserRole(name: "nobody", role: .admin, actor: "cli:root", now: 30))
        #expect(try !database.accounts.resetUserPassword(name: "nobody", passwordHash: "x", actor: "cli:root", now: 30))
        #expect(try database.accounts.user(named: "nobody") == nil)
    }

    @Test func theLastAdminIsNeitherDemotedNorDisabled() throws {
        let database = try AppDatabase(inMemory: 20)
        try database.accounts.addUser(name: "boss", role: .admin, passwordHash: "unused", actor: "test", now: 1)
        #expect(throws: AccountError.lastAdmin("boss")) { try database.accounts.setUserRole(name: "boss", role: .editor, actor: "test", now: 2) }
        #expect(throws: AccountError.lastAdmin("boss")) { try database.accounts.disableUser(name: "boss", actor: "test", now: 2) }
        try database.accounts.addUser(name: "deputy", role: .admin, passwordHash: "unused", actor: "test", now: 3)
        #expect(try database.accounts.setUserRole(name: "boss", role: .editor, actor: "test", now: 4))
        #expect(throws: AccountError.lastAdmin("deputy")) { try database.accounts.disableUser(name: "deputy", actor: "test", now: 5) }
        #expect(try database.accounts.users().map { "\($0.name) \($0.role.rawValue) \($0.disabledAt == nil)" } == ["boss editor true", "deputy admin true"])
        #expect(try database.audit.auditEntries(limit: 10).entries.filter { $0.action != "user.add" }.map(\.action) == ["user.set_role"])
    }

    @Test func aResetOrADisableEndsTheAccountsSessionsAndADisabledAccountCanBeEnabledAgain() throws {
        let database = try AppDatabase(inMemory: 20)
        try database.accounts.addUser(name: "li.wei", role: .editor, passwordHash: "hash-1", actor: "test", now: 1)
        func startSession(_ id: String) throws {
            try database.accounts.startSession(idHash: id, userName: "li.wei", csrfToken: "t", replacing: nil, now: 2, idleSince: 0, madeBefore: 0)
        }
        try startSession("phone")
        try startSession("desk")
        #expect(try database.accounts.rehashUserPassword(name: "li.wei", passwordHash: "hash-2", now: 3))
        #expect(try database.accounts.session(idHash: "phone") != nil, "a rehash of the same password keeps the sessions")
        #expect(try database.accounts.resetUserPassword(name: "li.wei", passwordHash: "hash-3", actor: "boss", now: 4))
        #expect(try database.accounts.session(idHash: "phone") == nil && database.accounts.session(idHash: "desk") == nil)

        try startSession("laptop")
        #expect(try !database.accounts.enableUser(name: "li.wei", actor: "boss", now: 5), "a live account is not enabled again")
        #expect(try database.accounts.disableUser(name: "li.wei", actor: "boss", now: 6))
        #expect(try database.accounts.session(idHash: "laptop") == nil)
        #expect(try database.accounts.enableUser(name: "li.wei", actor: "boss", now: 7))
        #expect(try database.accounts.user(named: "li.wei")?.disabledAt == nil)
        #expect(try !database.accounts.enableUser(name: "nobody", actor: "boss", now: 8))
        #expect(try database.audit.auditEntries(limit: 10).entries.filter { $0.actor == "boss" }.map(\.action)
            == ["user.enable", "user.disable", "user.reset_password"])
    }

    @Test func keysAreFoundByHashUntilRevokedAndTheirUseIsNotedAtMostOnceAMinute() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        let (key, hash) = APIKey.generate()
        try database.accounts.addAPIKey(name: "erp", role: .editor, keyHash: hash, actor: "cli:root", now: 100)
        #expect(throws: AccountError.nameTaken("erp")) {
            try database.accounts.addAPIKey(name: "erp", role: .viewer, keyHash: APIKey.generate().hash, actor: "cli:root", now: 101)
        }
        let found = try #require(try database.accounts.liveAPIKey(hash: APIKey.hash(key)))
        #expect(found.name == "erp" && found.role == .editor && found.createdAt == 100 && found.lastUsedAt == nil)

        try database.accounts.noteAPIKeyUse(found, now: 200)
        let used = try #require(try database.accounts.liveAPIKey(hash: hash))
        #expect(used.lastUsedAt == 200)
        try database.accounts.noteAPIKeyUse(used, now: 230)
        #expect(try database.accounts.liveAPIKey(hash: hash)?.lastUsedAt == 200)
        try database.accounts.noteAPIKeyUse(used, now: 261)
        #expect(try database.accounts.liveAPIKey(hash: hash)?.lastUsedAt == 261)

        #expect(try database.accounts.revokeAPIKey(name: "erp", actor: "cli:root", now: 300))
        #expect(try !database.accounts.revokeAPIKey(name: "erp", actor: "cli:root", now: 301))
        #expect(try database.accounts.liveAPIKey(hash: hash) == nil)
        #expect(try database.accounts.apiKeys().map(\.revokedAt) == [300])
        // Nothing stored holds the key itself.
        let stored = try database.writer.read { db in try String.fetchAll(db, sql: "SELECT name || role || key_hash FROM api_key") }
        #expect(stored.allSatisfy { !$0.contains(key.dropFirst(4)) })
    }

    @Test func aSnapshotSeesTheKeyAndTheCouponAsTheyWereWhenItsFirstReadBegan() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        let (_, hash) = APIKey.generate()
        try database.accounts.addAPIKey(name: "erp", role: .viewer, keyHash: hash, actor: "cli:root", now: 100)
        let (key, keyAgain, couponStoredMeanwhile) = try database.read { snapshot -> (StoredAPIKey?, StoredAPIKey?, Bool) in
            let key = try snapshot.liveAPIKey(hash: hash)
            // Committed by the writer while the snapshot is open, as another process would.
            let revoked = try database.accounts.revokeAPIKey(name: "erp", actor: "cli:root", now: 101)
            _ = try database.coupons.createCoupon(coupon("meanwhile"), now: 101)
            let stored = try snapshot.couponWithAttemptsAndChanges(outCouponID: "meanwhile") != nil
            return (key, revoked ? try snapshot.liveAPIKey(hash: hash) : nil, stored)
        }
        #expect(key?.name == "erp" && keyAgain == key, "the key is live throughout the snapshot")
        #expect(!couponStoredMeanwhile, "the coupon stored meanwhile is not in it")
        #expect(try database.accounts.liveAPIKey(hash: hash) == nil, "the next read sees the revocation")
        #expect(try database.coupons.coupon(outCouponID: "meanwhile") != nil)
    }
}
