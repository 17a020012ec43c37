import Coupons
import FastCGI
import Foundation
@testable import Storage
import StrictJSON
import TestSupport
import Testing
@testable import Web

/// What failed to reach WeChat, on one page and as the list's filter.
extension AdminPagesTests {
    /// The page's clock is 1,795,000,000; a coupon stored `age` seconds before it.
    func storeAged(_ id: String, age: Int) throws {
        let coupon = try Coupon.decode(requestBody: try JSONParser.parse(Array(WeChatExample.directReduction(id: id, name: "券 \(id)").utf8)))
        _ = try database.coupons.createCoupon(coupon, createdBy: "erp", now: 1_795_000_000 - age, claimingSync: nil)
    }

    @Test func refusedAndLongWaitingCouponsAreListedWithTheirErrorAndARetry() async throws {
        defer { directory.remove() }
        try storeAged("fresh", age: 60)
        try storeAged("stuck", age: 3600)
        try storeAged("refused", age: 60)
        try storeAged("fine", age: 3600)
        let refusal = SyncAttempt(at: 1, endpoint: "/shop/coupon/add", errcode: 9401020, failure: "bad fee", durationMilliseconds: 3)
        _ = try await database.coupons.recordSync(outCouponID: "refused", attempt: refusal, outcome: .rejected(reason: "bad fee"), now: 1_795_000_000)
        let took = SyncAttempt(at: 1, endpoint: "/shop/coupon/add", errcode: 0, failure: nil, durationMilliseconds: 3)
        _ = try await database.coupons.recordSync(outCouponID: "fine", attempt: took, outcome: .synced(status: .notActive, createTime: 1, updateTime: 1), now: 1)

        let staff = try await logIn("li.wei")
        let page = html(try await send("GET", "/admin/failures", as: staff, language: "en"))
        let listed = page.matches(of: /<tr data-id="([a-z]+)">/).map { String($0.1) }
        #expect(listed == ["refused", "stuck"], "newest first; not the one waiting a minute, nor the synced one")
        #expect(page.contains("bad fee") && page.contains("waiting since"))
        #expect(page.contains(#"id="retry-all""#))

        let list = html(try await send("GET", "/admin/coupons", query: "failing=true", as: staff, language: "en"))
        #expect(list.matches(of: /<tr data-id="([a-z]+)">/).map { String($0.1) } == ["refused", "stuck"])
        #expect(list.contains(#"id="f-failing" name="failing" type="checkbox" value="true" checked"#))

        let retried = try await send("POST", "/admin/coupons/bulk", form: "action=retry&all=true&failing=true", as: staff, language: "en")
        #expect(html(retried).contains("Send again: 2 coupons"))
        #expect(try database.coupons.coupon(outCouponID: "refused")?.syncState == .pending)

        let viewer = try await logIn("wang.fang")
        let seen = html(try await send("GET", "/admin/failures", as: viewer, language: "en"))
        #expect(seen.contains(#"<tr data-id="stuck">"#) && !seen.contains(#"id="retry-all""#), "viewers see, editors retry")
    }
}
