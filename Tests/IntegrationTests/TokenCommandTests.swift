import Foundation
import TestSupport
import Testing

/// `coupon-admin token status` and `token refresh --force` against the sandbox.
@Suite struct TokenCommandTests {
    @Test func statusNeverShowsTheTokenAndRefreshNeedsForce() throws {
        let sandbox = try SandboxProcess()
        let database = sandbox.directory.path("coupons.sqlite")
        let environment = [
            "COUPON_ADMIN_WECHAT_APPID": "wxsandbox", "COUPON_ADMIN_WECHAT_SECRET": "sandbox-secret",
            "COUPON_ADMIN_WECHAT_API_BASE": "http://127.0.0.1:\(sandbox.port)",
        ]
        func run(_ arguments: [String], _ environment: [String: String]) throws -> (status: Int32, output: String) {
            try Stack.run(Stack.workerBinary, ["token"] + arguments + ["--database", database], environment: environment, check: false)
        }

        #expect(try run(["status"], environment).output.contains("there is no database at \(database)"), "status never creates one")
        try Stack.run(Stack.workerBinary, ["migrate", "--database", database], environment: environment)
        let before = try run(["status"], environment)
        #expect(before.status == 0)
        #expect(before.output.contains("appid: wxsandbox") && before.output.contains("token: none stored yet"))

        let unforced = try run(["refresh"], environment)
        #expect(unforced.status == 64)
        #expect(unforced.output.contains("pass --force"))

        let refreshed = try run(["refresh", "--force"], environment)
        #expect(refreshed.status == 0, "\(refreshed.output)")
        let after = try run(["status"], environment)
        #expect(after.output.contains("expires: ") && after.output.contains("last error: none"))
        // Sandbox tokens start with "sandbox-": none may appear in what the command prints.
        #expect(!refreshed.output.contains("sandbox-") && !after.output.contains("sandbox-"))

        let unconfigured = try run(["status"], [:])
        #expect(unconfigured.status == 78)
        #expect(unconfigured.output.contains("WeChat is not configured"))
        let stats = try HTTPClient.request(port: sandbox.port, "GET", "/sandbox/stats").json()
        #expect((stats["calls"] as? [String: Int])?["/cgi-bin/stable_token"] == 1)
    }
}
