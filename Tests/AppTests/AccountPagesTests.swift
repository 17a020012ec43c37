import Accounts
import FastCGI
@testable import Storage
import Testing
import Web

/// A member of staff changing their own password on the admin pages.
extension LoginTests {
    static let newPassword = "a much longer new passphrase"

    func csrf(_ id: String) throws -> String { try #require(try current(id)).csrfToken }

    func changePassword(
        cookie: String, csrf: String?, current: String, new: String, again: String? = nil, from address: String = "192.0.2.1"
    ) async throws -> Response {
        let headers = HTTPHeaders([("Cookie", "\(StaffSessions.cookieName)=\(cookie)"), ("Content-Type", "application/x-www-form-urlencoded"), ("Accept-Language", "en")])
        func encoded(_ text: String) -> String { text.replacingOccurrences(of: " ", with: "+") }
        let form = (csrf.map { "csrf_token=\($0)&" } ?? "")
            + "current_password=\(encoded(current))&new_password=\(encoded(new))&new_password_again=\(encoded(again ?? new))"
        return try await router.respond(
            to: Request(method: "POST", path: "/admin/account/password", headers: headers, remoteAddress: address, body: Array(form.utf8)), logger: logger)
    }

    func page(_ path: String, query: String = "", cookie: String) async throws -> Response {
        let headers = HTTPHeaders([("Cookie", "\(StaffSessions.cookieName)=\(cookie)"), ("Accept-Language", "en")])
        return try await router.respond(to: Request(method: "GET", path: path, query: query, headers: headers), logger: logger)
    }

    @Test func staffChangeTheirOwnPasswordAndTheirOtherSessionsEnd() async throws {
        defer { directory.remove() }
        let here = try sessionID(try await login("li.wei", Self.password))
        let elsewhere = try sessionID(try await login("li.wei", Self.password, from: "198.51.100.7"))
        let form = try await page("/admin/account", cookie: here)
        #expect(form.status == 200 && String(decoding: form.body, as: UTF8.self).contains(#"action="/admin/account/password""#))

        let changed = try await changePassword(cookie: here, csrf: try csrf(here), current: Self.password, new: Self.newPassword)
        #expect(changed.status == 303 && changed.headers["Location"] == "/admin/account?done=changed")
        #expect(try current(here) != nil, "the session that changed it stays")
        #expect(try current(elsewhere) == nil, "every other session of the account ends")
        let notice = try await page("/admin/account", query: "done=changed", cookie: here)
        #expect(String(decoding: notice.body, as: UTF8.self).contains("Your password is changed"))

        #expect(try await login("li.wei", Self.password, from: "203.0.113.1").status == 401)
        #expect(try await login("li.wei", Self.newPassword, from: "203.0.113.1").status == 303)
        let entry = try #require(try database.audit.auditEntries(limit: 10).entries.first { $0.action == "user.change_password" })
        #expect(entry.actor == "li.wei" && entry.target == "li.wei" && entry.details == #"{"sessions_ended":1}"#)
    }

    @Test func aWrongCurrentPasswordAMismatchOrAShortOneChangesNothing() async throws {
        defer { directory.remove() }
        let id = try sessionID(try await login("li.wei", Self.password))
        let token = try csrf(id)
        let wrong = try await changePassword(cookie: id, csrf: token, current: "not the password", new: Self.newPassword)
        #expect(wrong.status == 403 && String(decoding: wrong.body, as: UTF8.self).contains("The current password is not right."))
        let mismatch = try await changePassword(cookie: id, csrf: token, current: Self.password, new: Self.newPassword, again: Self.newPassword + "!")
        #expect(mismatch.status == 422 && String(decoding: mismatch.body, as: UTF8.self).contains("are not the same"))
        let short = try await changePassword(cookie: id, csrf: token, current: Self.password, new: "short")
        #expect(short.status == 422 && String(decoding: short.body, as: UTF8.self).contains("at least 12 characters"))
        #expect(try await changePassword(cookie: id, csrf: nil, current: Self.password, new: Self.newPassword).status == 403, "the form needs its token")
        #expect(try await login("li.wei", Self.password, from: "203.0.113.1").status == 303, "the password is as it was")
        #expect(try database.audit.auditEntries(limit: 20).entries.filter { $0.action == "user.change_password_failed" }.count == 1)
    }

    @Test func wrongCurrentPasswordsAreThrottledLikeFailedLogins() async throws {
        defer { directory.remove() }
        let id = try sessionID(try await login("li.wei", Self.password))
        let token = try csrf(id)
        for index in 1...3 {
            #expect(try await changePassword(cookie: id, csrf: token, current: "wrong \(index)", new: Self.newPassword).status == 403)
        }
        let refused = try await changePassword(cookie: id, csrf: token, current: Self.password, new: Self.newPassword)
        #expect(refused.status == 429 && refused.headers["Retry-After"] != nil)
        #expect(try await login("li.wei", Self.password).status == 429, "the same budget as the login's")
    }
}
