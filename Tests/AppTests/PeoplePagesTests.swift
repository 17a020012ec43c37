import Accounts
import FastCGI
@testable import Storage
import Testing
import Web

/// Staff accounts added, changed, disabled and given new passwords by an admin on the admin pages.
extension LoginTests {
    func shownSecret(_ response: Response, id: String) throws -> String {
        let html = String(decoding: response.body, as: UTF8.self)
        return try #require(html.firstRange(of: #"id="\#(id)">"#).map { html[$0.upperBound...].prefix { $0 != "<" } }).description
    }

    @Test func anAdminAddsAColleagueWhoLogsInWithThePasswordShownOnce() async throws {
        defer { directory.remove() }
        let admin = try await adminSession()
        let token = try csrf(admin)
        let added = try await post("/admin/people", "csrf_token=\(token)&name=zhang.min&role=viewer", cookie: admin)
        #expect(added.status == 201)
        let password = try shownSecret(added, id: "new-password")
        #expect(try database.accounts.user(named: "zhang.min")?.role == .viewer)
        #expect(try await login("zhang.min", password).status == 303)
        let list = String(decoding: try await page("/admin/people", cookie: admin).body, as: UTF8.self)
        #expect(list.contains(#"data-name="zhang.min""#) && !list.contains(password), "the password is shown once, never listed")

        let taken = try await post("/admin/people", "csrf_token=\(token)&name=zhang.min&role=admin", cookie: admin)
        #expect(taken.status == 409 && String(decoding: taken.body, as: UTF8.self).contains("An account named zhang.min exists already"))
        #expect(try await post("/admin/people", "csrf_token=\(token)&name=no+spaces&role=viewer", cookie: admin).status == 422)
        #expect(try await post("/admin/people", "csrf_token=\(token)&name=root&role=superuser", cookie: admin).status == 400)
        #expect(try await post("/admin/people", "name=sneaky&role=admin", cookie: admin).status == 403, "the form needs its token")
        #expect(try database.accounts.users().map(\.name) == ["li.wei", "wang.fang", "zhang.min"])
        #expect(try database.audit.auditEntries(limit: 10).entries.filter { $0.action == "user.add" }.map { "\($0.actor) \($0.target)" }
            == ["wang.fang zhang.min", "test wang.fang", "test li.wei"])
    }

    @Test func anAdminChangesARoleDisablesEnablesAndResetsAPassword() async throws {
        defer { directory.remove() }
        let admin = try await adminSession()
        let token = try csrf(admin)
        let editor = try sessionID(try await login("li.wei", Self.password))

        let demoted = try await post("/admin/people/li.wei/role", "csrf_token=\(token)&role=viewer", cookie: admin)
        #expect(demoted.status == 303 && demoted.headers["Location"] == "/admin/people?done=role&name=li.wei")
        #expect(try current(editor)?.principal.role == .viewer, "a role change applies to the open session at once")
        #expect(String(decoding: try await page("/admin/people", query: "done=role&name=li.wei", cookie: admin).body, as: UTF8.self)
            .contains("The role of li.wei is changed."))

        let live = String(decoding: try await page("/admin/people", cookie: admin).body, as: UTF8.self)
        #expect(live.contains(#"action="/admin/people/li.wei/disable""#) && !live.contains(#"action="/admin/people/li.wei/enable""#))
        #expect(try await post("/admin/people/li.wei/disable", "csrf_token=\(token)", cookie: admin).status == 303)
        #expect(try current(editor) == nil)
        let disabled = String(decoding: try await page("/admin/people", cookie: admin).body, as: UTF8.self)
        #expect(disabled.contains(#"action="/admin/people/li.wei/enable""#) && !disabled.contains(#"action="/admin/people/li.wei/disable""#))
        #expect(try await login("li.wei", Self.password).status == 401)
        #expect(try await post("/admin/people/li.wei/disable", "csrf_token=\(token)", cookie: admin).status == 404)
        #expect(try await post("/admin/people/li.wei/enable", "csrf_token=\(token)", cookie: admin).status == 303)
        let again = try sessionID(try await login("li.wei", Self.password))

        let reset = try await post("/admin/people/li.wei/password", "csrf_token=\(token)", cookie: admin)
        #expect(reset.status == 200)
        let password = try shownSecret(reset, id: "new-password")
        #expect(try current(again) == nil, "a reset ends the account's sessions")
        #expect(try await login("li.wei", Self.password).status == 401)
        #expect(try await login("li.wei", password).status == 303)
        #expect(try await post("/admin/people/nobody/password", "csrf_token=\(token)", cookie: admin).status == 404)
        let actions = try database.audit.auditEntries(limit: 20).entries.filter { $0.actor == "wang.fang" && $0.action != "user.login" }.map(\.action)
        #expect(actions == ["user.reset_password", "user.enable", "user.disable", "user.set_role"])
    }

    @Test func theLastAdminIsNeitherDemotedNorDisabledOnThePage() async throws {
        defer { directory.remove() }
        let admin = try await adminSession()
        let token = try csrf(admin)
        for (action, form) in [("role", "csrf_token=\(token)&role=editor"), ("disable", "csrf_token=\(token)")] {
            let refused = try await post("/admin/people/wang.fang/\(action)", form, cookie: admin)
            #expect(refused.status == 409 && String(decoding: refused.body, as: UTF8.self).contains("wang.fang is the last admin"))
        }
        #expect(try database.accounts.user(named: "wang.fang").map { "\($0.role.rawValue) \($0.disabledAt == nil)" } == "admin true")
    }

    @Test func onlyAdminsReachThePeoplePages() async throws {
        defer { directory.remove() }
        let editor = try sessionID(try await login("li.wei", Self.password))
        #expect(try await page("/admin/people", cookie: editor).status == 403)
        #expect(try await post("/admin/people", "csrf_token=\(try csrf(editor))&name=mole&role=admin", cookie: editor).status == 403)
        #expect(try await post("/admin/people/li.wei/role", "csrf_token=\(try csrf(editor))&role=admin", cookie: editor).status == 403)
        #expect(try database.accounts.users().map { "\($0.name) \($0.role.rawValue)" } == ["li.wei editor"])
    }

    @Test func anAdminHandingOutCredentialsFastIsHeldBackLikeFailedLogins() async throws {
        defer { directory.remove() }
        let admin = try await adminSession()
        let token = try csrf(admin)
        for number in 1...10 {
            #expect(try await post("/admin/keys", "csrf_token=\(token)&name=tool\(number)&role=viewer", cookie: admin).status == 201)
        }
        let held = try await post("/admin/keys", "csrf_token=\(token)&name=tool11&role=viewer", cookie: admin)
        #expect(held.status == 429 && held.headers["Retry-After"] == "2")
        #expect(String(decoding: held.body, as: UTF8.self).contains("Wait a little and try again"))
        #expect(try await post("/admin/people/li.wei/password", "csrf_token=\(token)", cookie: admin).status == 429, "one count for keys and passwords")
        #expect(try database.accounts.apiKeys().count == 10)
        advance(2)
        #expect(try await post("/admin/keys", "csrf_token=\(token)&name=tool11&role=viewer", cookie: admin).status == 201)
        #expect(try await page("/admin/people", cookie: admin).status == 200, "looking is never held back")
    }
}
