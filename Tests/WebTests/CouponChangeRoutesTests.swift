import Accounts
import FastCGI
import Foundation
import Logging
import Storage
import TestSupport
import Testing
@testable import Web

/// Edits, status changes and stock through the router, over a real database file, with no WeChat: each
/// change is checked, stored and queued (202), or refused with the rule it breaks.
@Suite struct CouponChangeRoutesTests {
    let directory: TemporaryDirectory
    let database: AppDatabase
    let router: Router
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    init() throws {
        directory = try TemporaryDirectory("ca-changes")
        database = try AppDatabase(path: directory.path("coupons.sqlite"))
        var router = Router()
        CouponAPI(services: WebServices(database: database, authenticator: FixedPrincipal(principal: Principal(name: "erp", role: .editor)), now: { 1_700_000_100 }))
            .addRoutes(to: &router)
        self.router = router
    }

    func send(_ method: String, _ path: String, _ body: String) async throws -> (status: Int, json: [String: Any]) {
        let request = Request(
            method: method, path: path, mountPath: "", query: "", headers: HTTPHeaders([("Content-Type", "application/json")]), requestID: "r1",
            body: Array(body.utf8)
        )
        let response = try await router.respond(to: request, logger: logger)
        return (response.status, try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]))
    }

    /// Stores a coupon and marks it as WeChat having it in status 1, as a sync would.
    func storeOnWeChat(_ id: String) async throws {
        #expect(try await send("POST", "/api/v1/coupons", WeChatExample.directReduction(id: id)).status == 202)
        let attempt = SyncAttempt(at: 1, endpoint: "/shop/coupon/add", errcode: 0, failure: nil, durationMilliseconds: 1)
        _ = try await database.coupons.recordSync(outCouponID: id, attempt: attempt, outcome: .synced(status: .notActive, createTime: 1, updateTime: 1), now: 1)
    }

    func fieldErrors(_ json: [String: Any]) -> [String] {
        (json["errors"] as? [[String: Any]] ?? []).map { "\($0["field"] ?? ""): \($0["message"] ?? "")" }
    }

    @Test func anEditIsStoredAndQueued() async throws {
        defer { directory.remove() }
        try await storeOnWeChat("c1")
        let edited = try await send("PUT", "/api/v1/coupons/c1", WeChatExample.directReduction(id: "c1", name: "New name"))
        #expect(edited.status == 202)
        #expect((edited.json["coupon"] as? [String: Any]).flatMap { $0["coupon_info"] as? [String: Any] }?["name"] as? String == "New name")
        let sync = try #require(edited.json["sync"] as? [String: Any])
        #expect(sync["state"] as? String == "pending")
        let changes = try #require(sync["changes"] as? [[String: Any]])
        #expect(changes.map { $0["endpoint"] as? String } == ["/shop/coupon/update"] && changes.first?["requested_by"] as? String == "erp")
        #expect(try database.audit.history(ofCoupon: "c1").last?.action == "coupon.update")
        // Sent again as it is, nothing changes.
        #expect(try await send("PUT", "/api/v1/coupons/c1", WeChatExample.directReduction(id: "c1", name: "New name")).status == 200)
    }

    @Test func anEditMustNameTheCouponInThePathAndFollowTheRules() async throws {
        defer { directory.remove() }
        try await storeOnWeChat("c1")
        let otherID = try await send("PUT", "/api/v1/coupons/c1", WeChatExample.directReduction(id: "c2"))
        #expect(otherID.status == 422 && fieldErrors(otherID.json) == ["coupon.out_coupon_id: must be c1, the id in the path"])
        let invalid = try await send("PUT", "/api/v1/coupons/c1", WeChatExample.directReduction(id: "c1", fee: 0))
        #expect(invalid.status == 422 && fieldErrors(invalid.json).first?.hasPrefix("coupon.coupon_info.discount_info.discount_fee") == true)
        #expect(try await send("PUT", "/api/v1/coupons/nope", WeChatExample.directReduction(id: "nope")).status == 404)
        #expect(try database.coupons.coupon(outCouponID: "c1")?.name == "立减", "the stored coupon is unchanged")
    }

    @Test func statusChangesFollowWeChatsTransitions() async throws {
        defer { directory.remove() }
        try await storeOnWeChat("c1")
        let void = try await send("POST", "/api/v1/coupons/c1/status", #"{"status":4}"#)
        #expect(void.status == 409)
        #expect(void.json["detail"] as? String == "A coupon that is 1 (not active) cannot become 4 (voided): WeChat allows only 1 → 2 (activate), 2 → 3 (expire) and 2 → 4 (void).")
        let back = try await send("POST", "/api/v1/coupons/c1/status", #"{"status":1}"#)
        #expect(back.status == 422 && fieldErrors(back.json) == ["status: must be 2 (active), 3 (expired) or 4 (voided); a coupon never goes back to 1"])
        for bad in [#"{}"#, #"{"status":"2"}"#, #"{"status":2,"extra":1}"#] {
            #expect(try await send("POST", "/api/v1/coupons/c1/status", bad).status == 422, "\(bad)")
        }
        let activated = try await send("POST", "/api/v1/coupons/c1/status", #"{"status":2}"#)
        #expect(activated.status == 202 && activated.json["status"] as? Int == 2)
        #expect(try await send("POST", "/api/v1/coupons/c1/status", #"{"status":2}"#).status == 200, "already so")
        let edit = try await send("PUT", "/api/v1/coupons/c1", WeChatExample.directReduction(id: "c1", name: "late"))
        #expect(edit.status == 409 && edit.json["detail"] as? String == "Only a coupon that is not active yet (status 1) can be edited; this one is 2 (active) here.")
        #expect(try await send("POST", "/api/v1/coupons/c1/status", #"{"status":4}"#).status == 202)
        #expect(try await send("POST", "/api/v1/coupons/nope/status", #"{"status":2}"#).status == 404)
    }

    @Test func stockIsForActiveCouponsWithNumbersThatAddUp() async throws {
        defer { directory.remove() }
        try await storeOnWeChat("c1")
        let early = try await send("POST", "/api/v1/coupons/c1/stock", #"{"issued_num":10,"receive_num":0}"#)
        #expect(early.status == 409 && (early.json["detail"] as? String)?.contains("Activate it first") == true)
        _ = try await send("POST", "/api/v1/coupons/c1/status", #"{"status":2}"#)
        let tooMany = try await send("POST", "/api/v1/coupons/c1/stock", #"{"issued_num":10,"receive_num":11}"#)
        #expect(tooMany.status == 422 && fieldErrors(tooMany.json) == ["receive_num: must not be more than issued_num (10)"])
        let negative = try await send("POST", "/api/v1/coupons/c1/stock", #"{"issued_num":-1,"receive_num":0}"#)
        #expect(negative.status == 422 && fieldErrors(negative.json) == ["issued_num: must not be negative"])
        let set = try await send("POST", "/api/v1/coupons/c1/stock", #"{"issued_num":10,"receive_num":4}"#)
        #expect(set.status == 202)
        #expect(set.json["stock"] as? [String: Int] == ["issued_num": 10, "receive_num": 4])
    }
}

extension CouponChangeRoutesTests {
    @Test func theImportPathIsNeverACoupon() async throws {
        defer { directory.remove() }
        var router = self.router
        ImportAPI(services: WebServices(database: database, now: { 1 })).addRoutes(to: &router)
        let request = Request(method: "GET", path: "/api/v1/coupons/import", mountPath: "", query: "", headers: HTTPHeaders(), requestID: "r1", body: [])
        let answer = try await router.respond(to: request, logger: logger)
        #expect(answer.status == 405 && answer.headers["Allow"] == "POST")
        let reserved = try await send("POST", "/api/v1/coupons", WeChatExample.directReduction(id: "import"))
        #expect(reserved.status == 422 && fieldErrors(reserved.json) == ["coupon.out_coupon_id: must not be import: the API uses /api/v1/coupons/import for itself"])
        let bulk = try await send("POST", "/api/v1/coupons", WeChatExample.directReduction(id: "bulk"))
        #expect(bulk.status == 422 && fieldErrors(bulk.json) == ["coupon.out_coupon_id: must not be bulk: the API uses /api/v1/coupons/bulk for itself"])
    }
}
