import Accounts
import Coupons
import FastCGI
@testable import Storage
import StrictJSON
import TestSupport
import Testing
import Web

/// The audit log on a page, for admins, narrowed and paged.
extension LoginTests {
    @Test func adminsReadTheAuditLogNarrowedByWhoWhatWhichCouponAndWhen() async throws {
        defer { directory.remove() }
        let admin = try await adminSession()
        let at = 1_700_000_000
        for (index, actor) in ["erp", "erp", "li.wei"].enumerated() {
            try database.audit.append(AuditEntry(
                at: at + index * 3600, actor: actor, action: "coupon.update", targetType: "coupon", target: "c\(index)", details: #"{"n":\#(index)}"#))
        }
        func rows(_ query: String) async throws -> [String] {
            let response = try await page("/admin/audit", query: query, cookie: admin)
            #expect(response.status == 200, "\(query)")
            let html = String(decoding: response.body, as: UTF8.self)
            return html.components(separatedBy: #"href="/admin/coupons/"#).dropFirst().map { String($0.prefix { $0 != "\"" }) }
        }
        #expect(try await rows("") == ["c2", "c1", "c0"])
        #expect(try await rows("actor=erp") == ["c1", "c0"])
        #expect(try await rows("coupon=c1&action=coupon.update") == ["c1"])
        #expect(try await rows("action=coupon.create").isEmpty)
        // Times are the shop's (Asia/Shanghai, UTC+8): 1,700,000,000 is 2023-11-15 06:13:20 there.
        #expect(try await rows("from=2023-11-15T07:00&to=2023-11-15T08:00") == ["c1"])
        let bad = try await page("/admin/audit", query: "from=yesterday", cookie: admin)
        #expect(bad.status == 400 && String(decoding: bad.body, as: UTF8.self).contains("2026-11-23T10:00"))
    }

    @Test func anEditShowsEachFieldItChangedFromWhatToWhat() async throws {
        defer { directory.remove() }
        let admin = try await adminSession()
        let coupon = try Coupon.decode(requestBody: try JSONParser.parse(Array(WeChatExample.directReduction(id: "c-audit").utf8)))
        _ = try database.coupons.createCoupon(coupon, createdBy: "erp", now: 1, claimingSync: nil)
        var edited = coupon
        edited.couponInfo.name = "满100减25"
        edited.couponInfo.receiveInfo.totalNum = 500
        #expect(try database.coupons.editCoupon(edited, by: "li.wei", now: 2) != .refused(.noSuchCoupon))
        let details = try #require(try database.audit.history(ofCoupon: "c-audit").last?.details)
        #expect(details.hasPrefix(#"{"coupon":"# + String(decoding: edited.canonicalJSON, as: UTF8.self) + ","), "the whole new body is kept, as before")

        let html = String(decoding: try await page("/admin/audit", query: "action=coupon.update", cookie: admin).body, as: UTF8.self)
        #expect(html.contains(#"<li><code class="mono">coupon_info.name</code>: \#(coupon.couponInfo.name) → 满100减25</li>"#))
        #expect(html.contains(#"<li><code class="mono">coupon_info.receive_info.total_num</code>: \#(coupon.couponInfo.receiveInfo.totalNum) → 500</li>"#))
        #expect(html.components(separatedBy: "<li><code").count - 1 == 2, "only what changed")
    }

    @Test func theAuditLogIsPagedAndOnlyForAdmins() async throws {
        defer { directory.remove() }
        let admin = try await adminSession()
        for index in 0..<55 {
            try database.audit.append(AuditEntry(at: 1_700_000_000 + index, actor: "erp", action: "coupon.sync", targetType: "coupon", target: "p\(index)"))
        }
        let first = String(decoding: try await page("/admin/audit", query: "actor=erp", cookie: admin).body, as: UTF8.self)
        #expect(first.components(separatedBy: #"href="/admin/coupons/p"#).count - 1 == 50)
        let next = try #require(first.firstRange(of: #"<a href="/admin/audit?"#).map { first[$0.upperBound...].prefix { $0 != "\"" } })
        #expect(next.hasPrefix("actor=erp&amp;cursor="))
        let cursor = String(next.dropFirst("actor=erp&amp;cursor=".count))
        let second = String(decoding: try await page("/admin/audit", query: "actor=erp&cursor=\(cursor)", cookie: admin).body, as: UTF8.self)
        #expect(second.components(separatedBy: #"href="/admin/coupons/p"#).count - 1 == 5)

        let editor = try sessionID(try await login("li.wei", Self.password))
        #expect(try await page("/admin/audit", cookie: editor).status == 403)
    }
}
