import Foundation
import TestSupport
import Testing
import WeChat

/// Everything after a create, as a tool does it through nginx with the worker pointed at the sandbox:
/// edits, status changes, stock and user coupons, refused here or by WeChat, and queued while WeChat is down.
@Suite(.serialized) struct CouponLifecycleThroughNginxTests {
    static func body(id: String, name: String = "立减", fee: Int = 500) -> [UInt8] {
        Array(WeChatExample.directReduction(id: id, name: name, fee: fee).utf8)
    }

    static func send(_ stack: Stack, _ method: String, _ path: String, _ body: [UInt8]) throws -> HTTPResponse {
        try stack.request(method, path, headers: ["Content-Type": "application/json"], body: body)
    }

    static func send(_ stack: Stack, _ method: String, _ path: String, _ json: String) throws -> HTTPResponse {
        try send(stack, method, path, Array(json.utf8))
    }

    /// WeChat's own view of a coupon, asked of the sandbox directly.
    static func wechat(_ sandbox: SandboxProcess, _ id: String) async throws -> WeChatClient.CouponState {
        try await sandbox.withClient { try await $0.couponState(outCouponID: id) }
    }

    @Test func aCouponIsEditedActivatedStockedAndVoided() async throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        #expect(try Self.send(stack, "POST", "/api/v1/coupons", Self.body(id: "c1")).status == 201)

        let edited = try Self.send(stack, "PUT", "/api/v1/coupons/c1", Self.body(id: "c1", name: "改名了"))
        #expect(edited.status == 200, "\(edited.text)")
        #expect((try edited.json()["sync"] as? [String: Any])?["state"] as? String == "synced")
        #expect(try await Self.wechat(sandbox, "c1").coupon?.couponInfo.name == "改名了")

        let early = try Self.send(stack, "POST", "/api/v1/coupons/c1/stock", #"{"issued_num":5,"receive_num":0}"#)
        #expect(early.status == 409)
        #expect(try Self.send(stack, "POST", "/api/v1/coupons/c1/status", #"{"status":3}"#).status == 409)
        let activated = try Self.send(stack, "POST", "/api/v1/coupons/c1/status", #"{"status":2}"#)
        #expect(activated.status == 200, "\(activated.text)")
        #expect((try activated.json()["coupon"] as? [String: Any])?["status"] as? Int == 2)
        #expect(try Self.send(stack, "PUT", "/api/v1/coupons/c1", Self.body(id: "c1", name: "太晚了")).status == 409)
        #expect(try Self.send(stack, "POST", "/api/v1/coupons/c1/stock", #"{"issued_num":80,"receive_num":2}"#).status == 200)
        #expect(try Self.send(stack, "POST", "/api/v1/coupons/c1/status", #"{"status":4}"#).status == 200)
        #expect(try await Self.wechat(sandbox, "c1").status == 4)

        let history = try stack.get("/api/v1/coupons/c1/history").json()
        let actions = (history["entries"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        for action in ["coupon.create", "coupon.update", "coupon.set_status", "coupon.set_stock"] {
            #expect(actions.contains(action), "\(action) in \(actions)")
        }
    }

    @Test func stockForACouponWeChatExpiredIsRefusedByWeChat() async throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        #expect(try Self.send(stack, "POST", "/api/v1/coupons", Self.body(id: "c1")).status == 201)
        #expect(try Self.send(stack, "POST", "/api/v1/coupons/c1/status", #"{"status":2}"#).status == 200)
        try await sandbox.withClient { try await $0.updateCouponStatus(outCouponID: "c1", status: .expired) }
        let refused = try Self.send(stack, "POST", "/api/v1/coupons/c1/stock", #"{"issued_num":9,"receive_num":0}"#)
        #expect(refused.status == 422, "\(refused.text)")
        #expect(try refused.json()["errcode"] as? Int == 1_090_005)
        let stored = try stack.get("/api/v1/coupons/c1").json()
        let sync = try #require(stored["sync"] as? [String: Any])
        #expect(sync["state"] as? String == "rejected")
        #expect((sync["changes"] as? [[String: Any]])?.first?["errcode"] as? Int == 1_090_005)
    }

    @Test func editsQueuedWhileWeChatIsDownAreSentInOrderWhenItIsBack() async throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        #expect(try Self.send(stack, "POST", "/api/v1/coupons", Self.body(id: "c1")).status == 201)
        _ = try sandbox.post("/sandbox/faults", #"{"down":true}"#)
        #expect(try Self.send(stack, "PUT", "/api/v1/coupons/c1", Self.body(id: "c1", name: "一改")).status == 202)
        #expect(try Self.send(stack, "PUT", "/api/v1/coupons/c1", Self.body(id: "c1", name: "二改", fee: 900)).status == 202)
        #expect(try Self.send(stack, "POST", "/api/v1/coupons/c1/status", #"{"status":2}"#).status == 202)
        let queued = try stack.get("/api/v1/coupons/c1").json()
        let changes = ((queued["sync"] as? [String: Any])?["changes"] as? [[String: Any]] ?? []).compactMap { $0["endpoint"] as? String }
        #expect(changes == ["/shop/coupon/update", "/shop/coupon/update_status"])
        _ = try sandbox.post("/sandbox/faults", "{}")
        // The worker's own sync sends them once their backoff has passed.
        let deadline = Date().addingTimeInterval(30)
        var state = ""
        while Date() < deadline {
            state = (try stack.get("/api/v1/coupons/c1").json()["sync"] as? [String: Any])?["state"] as? String ?? ""
            if state == "synced" { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(state == "synced")
        let wechat = try await Self.wechat(sandbox, "c1")
        #expect(wechat.status == 2 && wechat.coupon?.couponInfo.name == "二改" && wechat.coupon?.couponInfo.discountInfo.discountFee == 900)
    }

    @Test func userCouponsAreClaimedWithinLimitsUsedAndListed() async throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        #expect(try Self.send(stack, "POST", "/api/v1/coupons", Self.body(id: "c1")).status == 201)
        let claim = #"{"out_user_coupon_id":"u1","openid":"o1","out_coupon_id":"c1","recv_time":1800000100}"#
        #expect(try Self.send(stack, "POST", "/api/v1/user-coupons", claim).status == 409, "not active yet")
        #expect(try Self.send(stack, "POST", "/api/v1/coupons/c1/status", #"{"status":2}"#).status == 200)
        let claimed = try Self.send(stack, "POST", "/api/v1/user-coupons", claim)
        #expect(claimed.status == 201, "\(claimed.text)")
        #expect(claimed.headers["location"] == "/api/v1/user-coupons/u1")
        #expect(try Self.send(stack, "POST", "/api/v1/user-coupons", claim).status == 200, "the same claim again")
        let second = #"{"out_user_coupon_id":"u2","openid":"o1","out_coupon_id":"c1","recv_time":1800000100}"#
        let limited = try Self.send(stack, "POST", "/api/v1/user-coupons", second)
        let limitedDetail = try limited.json()["detail"] as? String
        #expect(limited.status == 409 && limitedDetail?.contains("limit_num_one_person") == true)
        let late = #"{"out_user_coupon_id":"u3","openid":"o2","out_coupon_id":"c1","recv_time":1900000000}"#
        #expect(try Self.send(stack, "POST", "/api/v1/user-coupons", late).status == 422)

        #expect(try Self.send(stack, "PUT", "/api/v1/user-coupons/u1", #"{"use_time":1800000200}"#).status == 200)
        #expect(try Self.send(stack, "POST", "/api/v1/user-coupons/u1/status", #"{"status":102}"#).status == 200)
        #expect(try Self.send(stack, "POST", "/api/v1/user-coupons/u1/status", #"{"status":103}"#).status == 422)
        #expect(try Self.send(stack, "PUT", "/api/v1/user-coupons/nope", #"{"use_time":1}"#).status == 404)

        let list = try stack.get("/api/v1/user-coupons?openid=o1").json()
        #expect(list["total_num"] as? Int == 1)
        let entry = (list["user_coupons"] as? [[String: Any]])?.first
        #expect(entry?["status"] as? Int == 102 && entry?["use_time"] as? Int == 1_800_000_200)
        #expect((entry?["sync"] as? [String: Any])?["state"] as? String == "synced")
        #expect(try stack.get("/api/v1/user-coupons").status == 400)
        let one = try stack.get("/api/v1/user-coupons/u1").json()
        #expect(one["openid"] as? String == "o1" && one["status"] as? Int == 102)
    }
}
