import FastCGI
import Foundation
@testable import Storage
import Testing
@testable import Web

/// The coupon list's bulk actions on the admin pages.
extension AdminPagesTests {
    @Test func chosenCouponsOrAllThatMatchAreChangedAndEachOutcomeShown() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        for id in ["b-1", "b-2", "b-3", "other"] {
            let form = Self.common.merging(["type": "104", "out_coupon_id": id, "name": "直减 \(id)", "reduction_yuan": "5"]) { $1 }
            #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        }
        let list = html(try await send("GET", "/admin/coupons", query: "q=b-", as: staff, language: "en"))
        #expect(list.contains(#"<input type="checkbox" name="out_coupon_id" value="b-1" id="pick-b-1""#))
        #expect(list.contains(#"<input type="hidden" name="q" value="b-">"#), "the filter goes with the form for all that match it")

        let chosen = try await send("POST", "/admin/coupons/bulk", form: "action=activate&out_coupon_id=b-1&out_coupon_id=b-2", as: staff, language: "en")
        #expect(chosen.status == 200)
        var page = html(chosen)
        #expect(page.contains("Activate: 2 coupons") && page.contains(#"id="bulk-queued">2<"#))
        #expect(try database.coupons.coupon(outCouponID: "b-3")?.status == 1)

        let all = try await send("POST", "/admin/coupons/bulk", form: "action=void&all=true&q=b-", as: staff, language: "en")
        page = html(all)
        #expect(page.contains("Void: 3 coupons") && page.contains(#"id="bulk-queued">2<"#) && page.contains(#"id="bulk-refused">1<"#))
        #expect(page.contains(#"<tr data-id="b-3" data-outcome="refused">"#) && page.contains("cannot become"))
        #expect(try ["b-1", "b-2", "b-3", "other"].map { try database.coupons.coupon(outCouponID: $0)?.status } == [4, 4, 1, 1])

        #expect(try await send("POST", "/admin/coupons/bulk", form: "action=void", as: staff).status == 422, "nothing chosen")
        let viewer = try await logIn("wang.fang")
        #expect(try await send("POST", "/admin/coupons/bulk", form: "action=void&out_coupon_id=other", as: viewer).status == 403)
        #expect(!html(try await send("GET", "/admin/coupons", as: viewer)).contains(#"name="out_coupon_id""#), "viewers get no checkboxes")
    }
}
