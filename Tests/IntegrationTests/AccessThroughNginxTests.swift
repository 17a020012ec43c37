import Foundation
import TestSupport
import Testing

/// Keys made with the CLI, used through nginx, as an internal tool would.
@Suite struct AccessThroughNginxTests {
    func create(_ stack: Stack, _ id: String, key: String) throws -> HTTPResponse {
        try stack.request(
            "POST", "/api/v1/coupons", headers: ["Content-Type": "application/json", "Authorization": "Bearer \(key)"],
            body: Array(WeChatExample.directReduction(id: id).utf8)
        )
    }

    @Test func eachRoleDoesWhatItMayAndNoMore() throws {
        let stack = try Stack()
        let viewer = try stack.makeAPIKey(name: "report-tool", role: "viewer")
        let editor = try stack.makeAPIKey(name: "erp", role: "editor")

        let stranger = try stack.get("/api/v1/coupons", authorized: false)
        #expect(stranger.status == 401)
        #expect(stranger.headers["www-authenticate"] == "Bearer")
        #expect(try stack.get("/healthz", authorized: false).status == 200)
        #expect(try stack.get("/coupon-admin/api/v1/coupons", port: stack.prefixPort, authorized: false).status == 401)

        #expect(try create(stack, "by-viewer", key: viewer).status == 403)
        let created = try create(stack, "by-erp", key: editor)
        #expect(created.status == 202)
        #expect(try created.json()["created_by"] as? String == "erp")
        let read = try stack.get("/api/v1/coupons/by-erp", headers: ["Authorization": "Bearer \(viewer)"])
        #expect(read.status == 200)
        #expect(try stack.get("/api/v1/coupons/by-viewer", headers: ["Authorization": "Bearer \(viewer)"]).status == 404, "the refused create stored nothing")

        // The coupon's history says who stored it; the whole log is for admins only.
        let history = try stack.get("/api/v1/coupons/by-erp/history", headers: ["Authorization": "Bearer \(viewer)"])
        #expect(history.status == 200)
        let entries = try #require(try history.json()["entries"] as? [[String: Any]])
        #expect(entries.map { $0["action"] as? String } == ["coupon.create"] && entries.first?["actor"] as? String == "erp")
        #expect(try stack.get("/api/v1/audit", headers: ["Authorization": "Bearer \(editor)"]).status == 403)
        let audit = try stack.get("/api/v1/audit?limit=200")
        #expect(audit.status == 200)
        let actions = (try audit.json()["entries"] as? [[String: Any]])?.compactMap { "\($0["action"] ?? "") \($0["target"] ?? "")" } ?? []
        #expect(actions == ["coupon.create by-erp", "key.create erp", "key.create report-tool", "key.create integration-tests"])

        let listed = try Stack.run(Stack.workerBinary, ["keys", "list", "--database", stack.databasePath]).output
        #expect(listed.contains("erp") && listed.contains("report-tool") && !listed.contains("cak_"))

        try Stack.run(Stack.workerBinary, ["keys", "revoke", "erp", "--database", stack.databasePath])
        let revoked = try create(stack, "after-revoking", key: editor)
        #expect(revoked.status == 401)
        #expect(revoked.headers["www-authenticate"] == #"Bearer error="invalid_token""#)

        // No key ever reaches a log (waiting for the last request's line first: the worker writes them in batches).
        _ = try stack.workerLogLines(containing: "status=401")
        let nginxLog = (try? String(contentsOf: stack.stateDirectory.appendingPathComponent("nginx-access.log"), encoding: .utf8)) ?? ""
        for key in [viewer, editor, stack.apiKey] {
            #expect(!stack.workerLog.contains(key.dropFirst(4)))
            #expect(!nginxLog.contains(key.dropFirst(4)))
        }
    }

    /// The worker keeps the answers of GET by id and of the list while nothing is committed: a key revoked
    /// by another process is refused from the next request all the same, and a new coupon is listed at once.
    @Test func keptAnswersAreNotGivenOnceAnythingIsCommitted() throws {
        let stack = try Stack()
        let viewer = try stack.makeAPIKey(name: "dashboard", role: "viewer")
        let asViewer = ["Authorization": "Bearer \(viewer)"]
        #expect(try create(stack, "watched", key: stack.apiKey).status == 202)
        var firstList: [String] = []
        for _ in 1...3 {  // the key's first use is written down (a commit); the answers read after it are kept
            let coupon = try stack.get("/api/v1/coupons/watched", headers: asViewer)
            let state = (try coupon.json()["sync"] as? [String: Any])?["state"] as? String
            #expect(coupon.status == 200 && state == "pending")
            let list = try stack.get("/api/v1/coupons?limit=5", headers: asViewer)
            #expect(list.status == 200)
            firstList = try Self.ids(list)
        }
        #expect(firstList == ["watched"])

        #expect(try create(stack, "newer", key: stack.apiKey).status == 202)
        #expect(try Self.ids(try stack.get("/api/v1/coupons?limit=5", headers: asViewer)) == ["newer", "watched"])

        try Stack.run(Stack.workerBinary, ["keys", "revoke", "dashboard", "--database", stack.databasePath])
        #expect(try stack.get("/api/v1/coupons/watched", headers: asViewer).status == 401)
        #expect(try stack.get("/api/v1/coupons?limit=5", headers: asViewer).status == 401)
    }

    static func ids(_ list: HTTPResponse) throws -> [String] {
        let coupons = try list.json()["coupons"] as? [[String: Any]] ?? []
        return coupons.compactMap { ($0["coupon"] as? [String: Any])?["out_coupon_id"] as? String }
    }

    @Test func staffAccountsAreManagedFromTheCommandLine() throws {
        let directory = try TemporaryDirectory("ca-users")
        defer { directory.remove() }
        let database = directory.path("db.sqlite")
        func cli(_ arguments: String, input: String? = nil) throws -> (status: Int32, output: String) {
            let command = (input.map { "printf '%s\\n' '\($0)' | " } ?? "") + "\"$0\" \(arguments) --database '\(database)'"
            return try Stack.run("/bin/sh", ["-c", command, Stack.workerBinary], check: false)
        }
        let password = "a long secret phrase 密码"
        #expect(try cli("users add li.wei --role editor", input: password).status == 0)
        #expect(try cli("users add li.wei --role viewer", input: password).output.contains("the name li.wei is taken"))
        let short = try cli("users add bob --role viewer", input: "short")
        #expect(short.status != 0 && short.output.contains("at least 12 characters"))
        #expect(try cli("users set-role li.wei admin").status == 0)
        #expect(try cli("users reset-password li.wei", input: "another long phrase").status == 0)
        let last = try cli("users disable li.wei")
        #expect(last.status != 0 && last.output.contains("li.wei is the last admin"))
        #expect(try cli("users set-role li.wei editor").output.contains("li.wei is the last admin"))
        #expect(try cli("users add ops --role admin", input: password).status == 0)
        #expect(try cli("users disable li.wei").status == 0)
        #expect(try cli("users disable nobody").status != 0)
        let listed = try cli("users list").output
        #expect(listed.contains("li.wei") && listed.contains("admin") && listed.contains("disabled") && !listed.contains("bob"))
        #expect(!listed.contains(password) && !listed.contains("scrypt"))
        #expect(try cli("users enable li.wei").status == 0)
        #expect(try cli("users enable li.wei").output.contains("no disabled account is named li.wei"))
        #expect(!(try cli("users list").output.contains("disabled")))
    }

    @Test func staffLogInAndOutThroughNginxAtTheRootAndUnderAPrefix() throws {
        let stack = try Stack()
        try Stack.run("/bin/sh", ["-c", "printf '%s\\n' 'a long secret phrase' | \"$0\" users add li.wei --role viewer --database \"$1\"",
                                  Stack.workerBinary, stack.databasePath])
        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        let wrong = try stack.request("POST", "/admin/login", headers: form, body: Array("name=li.wei&password=guess".utf8), authorized: false)
        #expect(wrong.status == 401)
        for (port, mount) in [(stack.port, ""), (stack.prefixPort, "/coupon-admin")] {
            let login = try stack.request(
                "POST", "\(mount)/admin/login", port: port, headers: form,
                body: Array("name=li.wei&password=a+long+secret+phrase".utf8), authorized: false
            )
            #expect(login.status == 303)
            #expect(login.headers["location"] == "\(mount)/admin/coupons")
            let cookie = try #require(login.headers["set-cookie"])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            let session = String(cookie.prefix { $0 != ";" })
            // Without the form's token the logout is refused; pages send strangers to the login page.
            #expect(try stack.request("POST", "\(mount)/admin/logout", port: port, headers: ["Cookie": session], authorized: false).status == 403)
            let stranger = try stack.request("POST", "\(mount)/admin/logout", port: port, authorized: false)
            #expect(stranger.status == 303 && stranger.headers["location"] == "\(mount)/admin/login?next=\(mount)/admin/logout")
        }
        // Who failed to log in from where is recorded, and no password reaches a log.
        let audit = try stack.get("/api/v1/audit").text
        #expect(audit.contains("user.login_failed") && audit.contains("127.0.0.1"))
        _ = try stack.workerLogLines(containing: "login failed")
        #expect(!stack.workerLog.contains("a long secret phrase") && !stack.workerLog.contains("guess"))
    }
}
