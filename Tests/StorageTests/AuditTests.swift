import Accounts
import GRDB
import Testing
@testable import Storage

/// The audit log on a real file: written in the transaction of each change, never changed afterwards.
@Suite struct AuditTests {
    func attempt(_ at: Double, errcode: Int? = nil) -> SyncAttempt {
        .init(at: at, endpoint: "/shop/coupon/add", errcode: errcode, failure: nil, durationMilliseconds: 3)
    }

    @Test func aCouponsHistorySaysWhoDidWhat() async throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        _ = try database.coupons.createCoupon(coupon("c1"), createdBy: "erp", now: 10)
        _ = try database.coupons.createCoupon(coupon("c1"), createdBy: "erp", now: 11)  // a retry changes nothing
        _ = try database.coupons.createCoupon(coupon("c2"), createdBy: "other", now: 12)
        try await database.coupons.recordSync(outCouponID: "c1", attempt: attempt(20, errcode: 48001), outcome: .rejected(reason: "48001 api unauthorized"), now: 20)
        #expect(try database.coupons.requeueSync(outCouponID: "c1", actor: "li.wei", now: 30))
        try await database.coupons.recordSync(outCouponID: "c1", attempt: attempt(31, errcode: 0), outcome: .synced(status: .notActive, createTime: 31, updateTime: 31), now: 31)
        try await database.coupons.recordSync(outCouponID: "c1", attempt: attempt(40), outcome: nil, now: 40)  // a failed refresh changes nothing

        let history = try database.audit.history(ofCoupon: "c1")
        #expect(history.map(\.action) == ["coupon.create", "coupon.sync", "coupon.sync_requested", "coupon.sync"])
        #expect(history.map(\.actor) == ["erp", "wechat-sync", "li.wei", "wechat-sync"])
        #expect(history.map(\.at) == [10, 20, 30, 31])
        #expect(history[0].details?.hasPrefix(#"{"coupon":{"#) == true)
        #expect(history[0].details?.contains(#""out_coupon_id":"c1""#) == true)
        #expect(history[1].details == #"{"state":"rejected","reason":"48001 api unauthorized","endpoint":"/shop/coupon/add","errcode":48001}"#)
        #expect(history[3].details == #"{"state":"synced","status":1,"endpoint":"/shop/coupon/add","errcode":0}"#)
        #expect(try database.audit.history(ofCoupon: "c2").map(\.actor) == ["other"])
    }

    @Test func keyAndAccountChangesAreRecordedButFailedOnesAreNot() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        try database.accounts.addAPIKey(name: "erp", role: .editor, keyHash: APIKey.generate().hash, actor: "cli:root", now: 1)
        #expect(try database.accounts.revokeAPIKey(name: "erp", actor: "cli:root", now: 2))
        #expect(try !database.accounts.revokeAPIKey(name: "erp", actor: "cli:root", now: 3))
        try database.accounts.addUser(name: "li.wei", role: .viewer, passwordHash: "h", actor: "cli:ops", now: 4)
        #expect(try database.accounts.setUserRole(name: "li.wei", role: .editor, actor: "cli:ops", now: 5))
        #expect(try database.accounts.resetUserPassword(name: "li.wei", passwordHash: "h2", actor: "cli:ops", now: 6))
        #expect(try database.accounts.disableUser(name: "li.wei", actor: "cli:ops", now: 7))
        #expect(try !database.accounts.disableUser(name: "li.wei", actor: "cli:ops", now: 8))

        let all = try database.audit.auditEntries(limit: 50).entries
        #expect(all.map(\.action) == ["user.disable", "user.reset_password", "user.set_role", "user.add", "key.revoke", "key.create"])
        #expect(all.map(\.target) == ["li.wei", "li.wei", "li.wei", "li.wei", "erp", "erp"])
        #expect(all[2].details == #"{"role":"editor"}"#)
        #expect(all.allSatisfy { !($0.details ?? "").contains("h2") }, "no password hash in the log")
    }

    @Test func pagesGoNewestFirstAndEnd() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        for index in 1...5 { _ = try database.coupons.createCoupon(coupon("c\(index)"), createdBy: "erp", now: index) }
        let first = try database.audit.auditEntries(limit: 2)
        #expect(first.entries.map(\.target) == ["c5", "c4"])
        let second = try database.audit.auditEntries(limit: 2, before: first.nextBefore)
        #expect(second.entries.map(\.target) == ["c3", "c2"])
        let last = try database.audit.auditEntries(limit: 2, before: second.nextBefore)
        #expect(last.entries.map(\.target) == ["c1"] && last.nextBefore == nil)
    }

    @Test func entriesCannotBeChangedOrRemoved() throws {
        let file = try TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        _ = try database.coupons.createCoupon(coupon("c1"), createdBy: "erp", now: 1)
        #expect(throws: DatabaseError.self) { try database.writer.write { db in try db.execute(sql: "UPDATE audit_entry SET actor = 'someone else'") } }
        #expect(throws: DatabaseError.self) { try database.writer.write { db in try db.execute(sql: "DELETE FROM audit_entry") } }
        #expect(try database.audit.history(ofCoupon: "c1").map(\.actor) == ["erp"])
    }
}
