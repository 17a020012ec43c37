import Foundation
import TestSupport
import Testing

/// `POST /api/v1/coupons` through nginx with the worker pointed at the sandbox: 201 when WeChat takes
/// the coupon, 422 when it refuses, 202 when it cannot be reached.
@Suite(.serialized) struct SyncOnCreateTests {
    static func body(id: String) -> [UInt8] {
        Array(WeChatExample.directReduction(id: id).utf8)
    }

    @Test func createAnswersWithWhatWeChatMadeOfTheCoupon() throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        func post(_ id: String) throws -> HTTPResponse {
            try stack.request("POST", "/api/v1/coupons", headers: ["Content-Type": "application/json"], body: Self.body(id: id))
        }

        let synced = try post("c1")
        #expect(synced.status == 201, "\(synced.text)")
        #expect(synced.headers["location"] == "/api/v1/coupons/c1")
        let json = try synced.json()
        #expect((json["sync"] as? [String: Any])?["state"] as? String == "synced")
        #expect((json["coupon"] as? [String: Any])?["status"] as? Int == 1)

        _ = try sandbox.post("/sandbox/faults", #"{"errcode":1090011,"errcode_count":1}"#)
        let refused = try post("c2")
        #expect(refused.status == 422)
        let problem = try refused.json()
        #expect(problem["errcode"] as? Int == 1_090_011)
        #expect((problem["errmsg"] as? String)?.isEmpty == false)
        let stored = try stack.get("/api/v1/coupons/c2").json()
        #expect((stored["sync"] as? [String: Any])?["state"] as? String == "rejected")

        _ = try sandbox.post("/sandbox/faults", #"{"down":true}"#)
        let unreachable = try post("c3")
        #expect(unreachable.status == 202)
        #expect((try unreachable.json()["sync"] as? [String: Any])?["state"] as? String == "pending")

        let stats = try HTTPClient.request(port: sandbox.port, "GET", "/sandbox/stats").json()
        #expect(stats["coupons"] as? Int == 1)
        #expect(stats["repeated_adds"] as? Int == 0)
    }
}
