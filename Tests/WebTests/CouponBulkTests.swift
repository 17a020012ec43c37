import FastCGI
import Foundation
import Storage
import TestSupport
import Testing
@testable import Web

/// `POST /api/v1/coupons/bulk` with no WeChat: each coupon through the same rules and outbox as alone.
extension CouponChangeRoutesTests {
    func bulk(_ body: String) async throws -> (status: Int, json: [String: Any]) {
        try await send("POST", "/api/v1/coupons/bulk", body)
    }

    func outcomes(_ json: [String: Any]) -> [String] {
        (json["results"] as? [[String: Any]] ?? []).map { "\($0["out_coupon_id"] ?? "") \($0["outcome"] ?? "")" }
    }

    @Test func aBulkVoidQueuesWhatTheRulesAllowAndSaysWhyTheRestIsRefused() async throws {
        defer { directory.remove() }
        for id in ["a1", "a2", "a3", "n1", "n2"] { try await storeOnWeChat(id) }
        let activated = try await bulk(#"{"action":"activate","out_coupon_ids":["a1","a2","a3"]}"#)
        #expect(activated.status == 200 && outcomes(activated.json) == ["a1 queued", "a2 queued", "a3 queued"])

        let voided = try await bulk(#"{"action":"void","out_coupon_ids":["a1","n1","a2","n2","a3","ghost"]}"#)
        #expect(voided.status == 200)
        #expect(outcomes(voided.json) == ["a1 queued", "n1 refused", "a2 queued", "n2 refused", "a3 queued", "ghost not_found"])
        let counts = try #require(voided.json["counts"] as? [String: Int])
        #expect(counts == ["done": 0, "queued": 3, "unchanged": 0, "refused": 2, "rejected": 0, "not_found": 1])
        let refused = (voided.json["results"] as? [[String: Any]])?[1]["detail"] as? String
        #expect(refused == "A coupon that is 1 (not active) cannot become 4 (voided): WeChat allows only 1 → 2 (activate), 2 → 3 (expire) and 2 → 4 (void).")
        for id in ["a1", "a2", "a3"] {
            #expect(try database.coupons.coupon(outCouponID: id)?.status == 4)
            #expect(try database.coupons.changes(outCouponID: id, unsentOnly: true).map(\.status) == [2, 4], "the same outbox as one at a time")
        }
        #expect(try database.coupons.coupon(outCouponID: "n1")?.status == 1)
        #expect(try database.audit.history(ofCoupon: "a1").filter { $0.action == "coupon.set_status" }.map(\.actor) == ["erp", "erp"])
    }

    @Test func aBulkChangeTakesTheListsFilterAndRetriesTheSync() async throws {
        defer { directory.remove() }
        for id in ["spring-1", "spring-2", "autumn-1"] { try await storeOnWeChat(id) }
        let activated = try await bulk(#"{"action":"activate","filter":"q=spring"}"#)
        #expect(outcomes(activated.json) == ["spring-2 queued", "spring-1 queued"], "newest first, as the list")
        #expect(try database.coupons.coupon(outCouponID: "autumn-1")?.status == 1)
        let retried = try await bulk(#"{"action":"retry","filter":"q=autumn"}"#)
        #expect(outcomes(retried.json) == ["autumn-1 unchanged"], "WeChat has everything of it")

        let bad = try await bulk(#"{"action":"void","filter":"colour=red"}"#)
        #expect(bad.status == 422 && fieldErrors(bad.json).first?.hasPrefix("filter.colour:") == true)
        #expect(try await bulk(#"{"action":"paint","out_coupon_ids":["x"]}"#).status == 422)
        #expect(try await bulk(#"{"action":"void"}"#).status == 422)
        #expect(try await bulk(#"{"action":"void","out_coupon_ids":[]}"#).status == 422)
        #expect(try await bulk(#"{"action":"void","out_coupon_ids":["x"],"filter":""}"#).status == 422)
        let tooMany = "[" + (0...BulkChange.maximumCoupons).map { "\"c\($0)\"" }.joined(separator: ",") + "]"
        #expect(try await bulk(#"{"action":"void","out_coupon_ids":\#(tooMany)}"#).status == 422)
    }
}
