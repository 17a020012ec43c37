import Foundation
import TestSupport
import Testing

/// `coupon-admin wechat confirm` against the sandbox.
@Suite struct WeChatCommandTests {
    @Test func confirmCallsWeChatOnceAndExplainsTheCallback() throws {
        let sandbox = try SandboxProcess()
        let directory = try TemporaryDirectory("ca-confirm")
        defer { directory.remove() }
        let confirmed = try Stack.run(
            Stack.workerBinary, ["wechat", "confirm", "--database", directory.path("coupons.sqlite")], environment: sandbox.workerEnvironment(), check: false
        )
        #expect(confirmed.status == 0, "\(confirmed.output)")
        #expect(confirmed.output.contains("Event=open_product_receive_coupon"))
        #expect((try sandbox.stats()["calls"] as? [String: Int])?["/shop/coupon/confirm"] == 1)

        var wrongSecret = sandbox.workerEnvironment()
        wrongSecret["COUPON_ADMIN_WECHAT_SECRET"] = "not-the-secret"
        let refused = try Stack.run(
            Stack.workerBinary, ["wechat", "confirm", "--database", directory.path("coupons.sqlite")], environment: wrongSecret, check: false
        )
        #expect(refused.status == 1)
        #expect(refused.output.contains("40125"), "\(refused.output)")
    }
}
