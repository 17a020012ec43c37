import Foundation
import TestSupport
import Testing

/// `coupon-admin status` and `token status` as monitoring runs them: what they print and their exit status.
@Suite struct StatusCommandTests {
    @Test func allWellAfterACreateThatSynced() throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        let created = try stack.request("POST", "/api/v1/coupons", headers: ["Content-Type": "application/json"],
                                        body: Array(WeChatExample.directReduction(id: "status-1").utf8))
        #expect(created.status == 201)
        var environment = ProcessInfo.processInfo.environment.merging(sandbox.workerEnvironment()) { $1 }
        environment["COUPON_ADMIN_DATABASE"] = stack.databasePath

        let text = try Stack.run(Stack.workerBinary, ["status"], environment: environment, check: false)
        #expect(text.status == 0, "\(text.output)")
        for line in ["coupons: 1", "sync: 0 pending, 0 rejected", "last WeChat error: none", "WeChat: appid wxsandbox, token valid for", "state: ok"] {
            #expect(text.output.contains(line), "\(line) in \(text.output)")
        }
        let json = try Stack.run(Stack.workerBinary, ["status", "--json"], environment: environment, check: false)
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any] ?? [:]
        #expect(object["ok"] as? Bool == true && object["coupons"] as? Int == 1, "\(json.output)")
        #expect(((object["wechat"] as? [String: Any])?["token"] as? [String: Any])?["stored"] as? Bool == true)
    }

    @Test func aBacklogOlderThanTheLimitIsAProblem() throws {
        let stack = try Stack()  // no WeChat: every coupon waits
        for index in 1...3 {
            let created = try stack.request("POST", "/api/v1/coupons", headers: ["Content-Type": "application/json"],
                                            body: Array(WeChatExample.directReduction(id: "waiting-\(index)").utf8))
            #expect(created.status == 202)
        }
        try Stack.run("/usr/bin/sqlite3", [stack.databasePath, "UPDATE coupon SET created_at = created_at - 3600 WHERE out_coupon_id = 'waiting-1'"])
        let arguments = ["status", "--database", stack.databasePath]

        let withinTheLimit = try Stack.run(Stack.workerBinary, arguments + ["--max-backlog-age", "7200"], check: false)
        #expect(withinTheLimit.status == 0 && withinTheLimit.output.contains("sync: 3 pending, the oldest waiting 36"), "\(withinTheLimit.output)")
        let late = try Stack.run(Stack.workerBinary, arguments + ["--max-backlog-age", "600"], check: false)
        #expect(late.status == 1, "\(late.output)")
        #expect(late.output.contains("state: PROBLEM: the oldest sync has waited 36") && late.output.contains("more than 600 s"))
        let json = try Stack.run(Stack.workerBinary, arguments + ["--max-backlog-age", "600", "--json"], check: false)
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any] ?? [:]
        #expect(json.status == 1 && object["ok"] as? Bool == false && (object["sync"] as? [String: Any])?["pending"] as? Int == 3)
    }

    @Test func aTokenThatCannotBeHadFailsTokenStatusAndStatus() throws {
        let directory = try TemporaryDirectory("ca-status-token")
        defer { directory.remove() }
        let database = directory.path("coupon-admin.sqlite")
        try Stack.run(Stack.workerBinary, ["migrate", "--database", database])
        let nobodyListens = try Stack.freePort()
        var environment = ProcessInfo.processInfo.environment
        environment["COUPON_ADMIN_DATABASE"] = database
        environment["COUPON_ADMIN_WECHAT_APPID"] = "wxsandbox"
        environment["COUPON_ADMIN_WECHAT_SECRET"] = "sandbox-secret"
        environment["COUPON_ADMIN_WECHAT_API_BASE"] = "http://127.0.0.1:\(nobodyListens)"
        environment["COUPON_ADMIN_WECHAT_CONNECT_TIMEOUT"] = "0.5"

        #expect(try Stack.run(Stack.workerBinary, ["token", "status"], environment: environment, check: false).status == 0, "nothing tried yet")
        let refresh = try Stack.run(Stack.workerBinary, ["token", "refresh", "--force"], environment: environment, check: false)
        #expect(refresh.status == 1 && refresh.output.contains("the refresh failed"), "\(refresh.output)")

        let token = try Stack.run(Stack.workerBinary, ["token", "status"], environment: environment, check: false)
        #expect(token.status == 1, "\(token.output)")
        #expect(token.output.contains("last error: WeChat did not answer") && token.output.contains("state: failing"))
        let status = try Stack.run(Stack.workerBinary, ["status"], environment: environment, check: false)
        #expect(status.status == 1 && status.output.contains("state: PROBLEM: no WeChat token can be had"), "\(status.output)")
    }
}
