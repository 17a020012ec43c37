import Coupons
import Foundation
import StrictJSON
import TestSupport
import Testing
import WeChat

/// Importing what WeChat has: 450 coupons from the sandbox, through the API behind nginx and then with
/// `coupon-admin import`, with no duplicates, stock kept, and a coupon changed on WeChat's side flagged.
@Suite(.serialized) struct CouponImportTests {
    @Test func fourHundredFiftyCouponsImportedTwiceAreStoredOnce() async throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        let local = try stack.request("POST", "/api/v1/coupons", headers: ["Content-Type": "application/json"], body: Array(WeChatExample.directReduction(id: "mine").utf8))
        #expect(local.status == 201)
        try await sandbox.withClient { client in
            for index in 1...449 {
                try await client.addCoupon(try Coupon.decode(requestBody: try JSONParser.parse(Array(WeChatExample.directReduction(id: "w\(index)", name: "券\(index)").utf8))))
            }
            // Changed on WeChat's side, behind this server's back.
            try await client.updateCoupon(try Coupon.decode(requestBody: try JSONParser.parse(Array(WeChatExample.directReduction(id: "mine", name: "别处改的").utf8))))
            try await client.updateCouponStatus(outCouponID: "w7", status: .active)
            try await client.updateCouponStock(outCouponID: "w7", issuedNum: 60, receiveNum: 5)
        }

        let started = try stack.request("POST", "/api/v1/coupons/import")
        #expect(started.status == 202, "\(started.text)")
        let location = try #require(started.headers["location"])
        var run: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            run = try stack.get(location).json()
            if run["state"] as? String != "running" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(run["state"] as? String == "done", "\(run)")
        #expect(run["total_num"] as? Int == 450 && run["seen"] as? Int == 450)
        #expect(run["created"] as? Int == 449 && run["differing"] as? Int == 1 && run["updated"] as? Int == 0)

        let mine = try stack.get("/api/v1/coupons/mine").json()
        #expect(mine["wechat_differs"] as? [String] == ["coupon_info.name"])
        let w7 = try stack.get("/api/v1/coupons/w7").json()
        #expect(w7["status"] as? Int == 2 && w7["stock"] as? [String: Int] == ["issued_num": 60, "receive_num": 5])
        #expect((w7["sync"] as? [String: Any])?["state"] as? String == "synced")

        let again = try Stack.run(Stack.workerBinary, ["import", "--database", stack.databasePath], environment: sandbox.workerEnvironment(), check: false)
        #expect(again.status == 0, "\(again.output)")
        for line in ["200 of 450 read", "400 of 450 read", "450 of 450 read: 0 new, 449 updated, 1 differing, 0 unreadable"] {
            #expect(again.output.contains(line), "\(line) in \(again.output)")
        }
        var ids = Set<String>()
        var path = "/api/v1/coupons?limit=200"
        while true {
            let page = try stack.get(path).json()
            for item in page["coupons"] as? [[String: Any]] ?? [] {
                if let id = (item["coupon"] as? [String: Any])?["out_coupon_id"] as? String { #expect(ids.insert(id).inserted, "\(id) twice") }
            }
            guard let cursor = page["next_cursor"] as? String else { break }
            path = "/api/v1/coupons?limit=200&cursor=\(cursor)"
        }
        #expect(ids.count == 450)
    }
}
