import Accounts
import FastCGI
@testable import Storage
import Testing
import Web

/// API keys made and revoked by an admin on the admin pages, used on the API in between.
extension LoginTests {
    func adminSession() async throws -> String {
        try database.accounts.addUser(name: "wang.fang", role: .admin, passwordHash: try PasswordHash(password: Self.password).stored, actor: "test", now: 1)
        return try sessionID(try await login("wang.fang", Self.password))
    }

    func post(_ path: String, _ form: String, cookie: String) async throws -> Response {
        let headers = HTTPHeaders([
            ("Cookie", "\(StaffSessions.cookieName)=\(cookie)"), ("Content-Type", "application/x-www-form-urlencoded"), ("Accept-Language", "en"),
        ])
        return try await router.respond(to: Request(method: "POST", path: path, headers: headers, body: Array(form.utf8)), logger: logger)
    }

    func apiList(key: String) async throws -> Int {
        let headers = HTTPHeaders([("Authorization", "Bearer \(key)")])
        return try await router.respond(to: Request(method: "GET", path: "/api/v1/coupons", headers: headers, remoteAddress: "192.0.2.80"), logger: logger).status
    }

    @Test func aKeyMadeOnThePageWorksOnTheAPIUntilItIsRevokedThere() async throws {
        defer { directory.remove() }
        let admin = try await adminSession()
        let token = try csrf(admin)
        let created = try await post("/admin/keys", "csrf_token=\(token)&name=erp&role=editor", cookie: admin)
        #expect(created.status == 201)
        let html = String(decoding: created.body, as: UTF8.self)
        let key = try #require(html.firstRange(of: #"id="new-key">"#).map { html[$0.upperBound...].prefix { $0 != "<" } }).description
        #expect(key.hasPrefix("cak_"))
        #expect(try database.accounts.apiKeys().map { "\($0.name) \($0.role.rawValue)" } == ["erp editor"])
        #expect(try await apiList(key: key) == 200)

        let list = try await page("/admin/keys", cookie: admin)
        #expect(list.status == 200 && !String(decoding: list.body, as: UTF8.self).contains(key), "the key is shown once, never listed")
        #expect(String(decoding: list.body, as: UTF8.self).contains(#"<form method="post" action="/admin/keys/erp/revoke">"#), "a live key can be revoked")

        let revoked = try await post("/admin/keys/erp/revoke", "csrf_token=\(token)", cookie: admin)
        #expect(revoked.status == 303 && revoked.headers["Location"] == "/admin/keys?done=revoked")
        #expect(try await apiList(key: key) == 401)
        #expect(try await post("/admin/keys/erp/revoke", "csrf_token=\(token)", cookie: admin).status == 404)
        let after = String(decoding: try await page("/admin/keys", cookie: admin).body, as: UTF8.self)
        #expect(after.contains("Revoked ") && !after.contains("/admin/keys/erp/revoke"), "a revoked key says so and offers no button")
        let actions = try database.audit.auditEntries(limit: 10).entries.filter { $0.targetType == "key" }.map { "\($0.actor) \($0.action) \($0.target)" }
        #expect(actions == ["wang.fang key.revoke erp", "wang.fang key.create erp"])
    }

    @Test func aKeysNameMustBeValidAndFree() async throws {
        defer { directory.remove() }
        let admin = try await adminSession()
        let token = try csrf(admin)
        #expect(try await post("/admin/keys", "csrf_token=\(token)&name=erp&role=viewer", cookie: admin).status == 201)
        let taken = try await post("/admin/keys", "csrf_token=\(token)&name=erp&role=admin", cookie: admin)
        #expect(taken.status == 409 && String(decoding: taken.body, as: UTF8.self).contains("A key named erp exists already"))
        #expect(try await post("/admin/keys", "csrf_token=\(token)&name=no+spaces&role=viewer", cookie: admin).status == 422)
        #expect(try await post("/admin/keys", "name=sneaky&role=admin", cookie: admin).status == 403, "the form needs its token")
        #expect(try database.accounts.apiKeys().map(\.name) == ["erp"])
    }

    @Test func onlyAdminsReachTheKeys() async throws {
        defer { directory.remove() }
        let editor = try sessionID(try await login("li.wei", Self.password))
        #expect(try await page("/admin/keys", cookie: editor).status == 403)
        #expect(try await post("/admin/keys", "csrf_token=\(try csrf(editor))&name=erp&role=admin", cookie: editor).status == 403)
        #expect(try database.accounts.apiKeys().isEmpty)
        let admin = try await adminSession()
        #expect(String(decoding: try await page("/admin/coupons", cookie: admin).body, as: UTF8.self).contains(#"href="/admin/keys""#))
        #expect(!String(decoding: try await page("/admin/coupons", cookie: editor).body, as: UTF8.self).contains(#"href="/admin/keys""#))
    }
}
