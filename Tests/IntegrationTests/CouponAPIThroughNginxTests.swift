import Foundation
import Storage
import TestSupport
import Testing

/// The coupon API as a tool uses it: through real nginx, at the root and under a prefix.
@Suite(.serialized) struct CouponAPIThroughNginxTests {
    static let wechatExample = WeChatExample.addBody

    static func body(id: String, fee: Int = 500) -> [UInt8] {
        Array(WeChatExample.directReduction(id: id, name: "立减 🎉", fee: fee).utf8)
    }

    func post(_ stack: Stack, _ body: [UInt8], path: String = "/api/v1/coupons", port: UInt16? = nil) throws -> HTTPResponse {
        try stack.request("POST", path, port: port, headers: ["Content-Type": "application/json"], body: body)
    }

    @Test func createGetRetryAndConflict() throws {
        let stack = try Stack()
        let created = try post(stack, Array(Self.wechatExample.utf8))
        #expect(created.status == 202)
        #expect(created.headers["location"] == "/api/v1/coupons/coupon_id_1")
        let json = try created.json()
        #expect((json["coupon"] as? [String: Any])?["out_coupon_id"] as? String == "coupon_id_1")
        #expect((json["sync"] as? [String: Any])?["state"] as? String == "pending")

        let fetched = try stack.get(try #require(created.headers["location"]))
        #expect(fetched.status == 200)
        #expect(fetched.body == created.body)
        #expect(try stack.get("/api/v1/coupons/coupon_id_2").status == 404)

        let retried = try post(stack, Array(Self.wechatExample.utf8))
        #expect(retried.status == 200)
        #expect(retried.body == created.body)

        let conflicting = try post(stack, Array(Self.wechatExample.replacingOccurrences(of: "示例优惠券", with: "另一张").utf8))
        #expect(conflicting.status == 409)
        #expect(conflicting.headers["content-type"] == "application/problem+json")
        #expect(try stack.get("/api/v1/coupons/coupon_id_1").body == created.body)
    }

    @Test func underAPrefixTheLocationCarriesIt() throws {
        let stack = try Stack()
        let created = try post(stack, Self.body(id: "p1"), path: "/coupon-admin/api/v1/coupons", port: stack.prefixPort)
        #expect(created.status == 202)
        #expect(created.headers["location"] == "/coupon-admin/api/v1/coupons/p1")
        #expect(try stack.get("/coupon-admin/api/v1/coupons/p1", port: stack.prefixPort).status == 200)
    }

    @Test func listsPageThroughEveryCouponOnce() throws {
        let stack = try Stack()
        for index in 1...23 { #expect(try post(stack, Self.body(id: "c\(index)")).status == 202) }
        var seen: [String] = []
        var query = "limit=10"
        for _ in 0..<5 {
            let page = try stack.get("/api/v1/coupons?\(query)").json()
            seen += (page["coupons"] as? [[String: Any]] ?? []).compactMap { ($0["coupon"] as? [String: Any])?["out_coupon_id"] as? String }
            guard let cursor = page["next_cursor"] as? String else { break }
            // A coupon created between pages shows up on no later page.
            _ = try post(stack, Self.body(id: "late\(seen.count)"))
            query = "limit=10&cursor=\(cursor)"
        }
        #expect(seen == (1...23).reversed().map { "c\($0)" })
        let search = try stack.get("/api/v1/coupons?q=late&limit=200").json()
        #expect((search["coupons"] as? [Any])?.count == 2)
        let bad = try stack.get("/api/v1/coupons?limit=500")
        #expect(bad.status == 400)
        #expect(bad.headers["content-type"] == "application/problem+json")
    }

    @Test func badBodiesAreExplained() throws {
        let stack = try Stack()
        let notJSON = try stack.request("POST", "/api/v1/coupons", headers: ["Content-Type": "text/plain"], body: Self.body(id: "x"))
        #expect(notJSON.status == 415)
        let broken = try post(stack, Array("{".utf8))
        #expect(broken.status == 400)
        #expect(try broken.json()["detail"] as? String == "The body is not JSON: expected a member name in double quotes at byte 1.")
        let deep = try post(stack, Array(String(repeating: "[", count: 10_000).utf8))
        #expect(deep.status == 400)
        let invalid = try post(stack, Self.body(id: "x", fee: 0))
        #expect(invalid.status == 422)
        #expect(try invalid.json()["errors"] as? [[String: String]] == [["field": "coupon.coupon_info.discount_info.discount_fee", "message": "must be at least 1"]])
        let tooLarge = try post(stack, [UInt8](repeating: 0x20, count: 1_048_577))
        #expect(tooLarge.status == 413)
        #expect(try tooLarge.json()["status"] as? Int == 413)
        // Nothing refused was stored.
        #expect((try stack.get("/api/v1/coupons").json()["coupons"] as? [Any])?.isEmpty == true)
    }

    @Test func theWorkerMigratesAndKeepsCouponsAcrossRestarts() throws {
        let stack = try Stack()
        #expect(try post(stack, Self.body(id: "kept")).status == 202)
        #expect(try stack.stopWorker().status == 0)
        try stack.startWorker()
        #expect(try stack.get("/api/v1/coupons/kept").status == 200)
        let (status, output) = try Stack.run(Stack.workerBinary, ["migrate", "--database", stack.databasePath], environment: [:])
        #expect(status == 0)
        #expect(output.contains("up to date (\(AppDatabase.migrationNames.count) migrations)"), "\(output)")
    }
}
