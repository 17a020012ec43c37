import Coupons
import Foundation
import StrictJSON
import TestSupport
import Testing

/// The coupon page's actions through nginx, with the sandbox as WeChat: a coupon WeChat refused is
/// sent again and synced, and one is refreshed from WeChat; a coupon's whole life from its pages (edit,
/// activate, stock, a user's claim and its use, void); an import followed on its page. Each ends on a
/// page with a notice.
@Suite struct AdminPagesThroughNginxTests {
    @Test func retryAndRefreshFromTheCouponsPage() throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        let staff = try StaffSession(stack, name: "zhao.lei", password: "retry-and-refresh")

        // WeChat refuses the first add.
        try sandbox.faults(#"{"errcode":1090011,"errcode_count":1}"#)
        let form = "type=104&out_coupon_id=page-retry&name=retry&finder_nickname=live&reduction_yuan=5&claim_start=2026-12-01T10%3A00"
            + "&claim_end=2026-12-31T10%3A00&per_person=1&total=10&valid_type=2&valid_days=7"
        let created = try staff.post("/admin/coupons", form)
        #expect(created.status == 303 && created.headers["location"] == "/admin/coupons/page-retry?done=saved")
        let refused = try staff.page("/admin/coupons/page-retry")
        #expect(refused.contains("Refused by WeChat") && refused.contains("WeChat error 1090011: A product coupon must name its products."))
        #expect(refused.contains(#"action="/admin/coupons/page-retry/sync""#))

        let retried = try staff.post("/admin/coupons/page-retry/sync", "")
        #expect(retried.status == 303 && retried.headers["location"] == "/admin/coupons/page-retry?done=retried")
        let synced = try staff.page("/admin/coupons/page-retry?done=retried")
        #expect(synced.contains("The coupon was sent to WeChat again.") && synced.contains(#"id="sync-state">On WeChat<"#))
        #expect(!synced.contains(#"action="/admin/coupons/page-retry/sync""#), "nothing to retry once synced")
        #expect(synced.contains("Asked to send it to WeChat again"))

        let refreshed = try staff.post("/admin/coupons/page-retry/refresh", "")
        #expect(refreshed.status == 303 && refreshed.headers["location"] == "/admin/coupons/page-retry?done=refreshed")
        #expect(try staff.page("/admin/coupons/page-retry?done=refreshed").contains("Refreshed it from WeChat"))
        #expect(try sandbox.calls("/shop/coupon/get") >= 1)
        #expect(!stack.workerLog.contains("status=500"))
    }

    @Test func aCouponsLifeAndAnImportFromThePages() async throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        let staff = try StaffSession(stack, name: "sun.li", password: "a-coupons-whole-life")
        func wechatState(_ id: String) async throws -> (status: Int, fee: Int?) {
            let state = try await sandbox.withClient { try await $0.couponState(outCouponID: id) }
            return (state.status, state.coupon?.couponInfo.discountInfo.discountFee)
        }

        let form = "type=104&out_coupon_id=life&name=life&finder_nickname=live&reduction_yuan=5&claim_start=2026-11-01T10%3A00"
            + "&claim_end=2036-11-01T10%3A00&per_person=1&total=10&valid_type=2&valid_days=7"
        #expect(try staff.post("/admin/coupons", form).status == 303)
        #expect(try staff.page("/admin/coupons/life/edit").contains(#"id="reduction_yuan" name="reduction_yuan" type="text" inputmode="decimal" value="5""#))

        let edited = try staff.post("/admin/coupons/life/edit", form.replacingOccurrences(of: "reduction_yuan=5", with: "reduction_yuan=6.5"))
        #expect(edited.status == 303 && edited.headers["location"] == "/admin/coupons/life?done=edited")
        #expect(try await wechatState("life") == (1, 650))

        #expect(try staff.post("/admin/coupons/life/status", "status=2").headers["location"] == "/admin/coupons/life?done=changed")
        var coupon = try staff.page("/admin/coupons/life?done=changed")
        #expect(coupon.contains(#"id="wechat-status">Active<"#) && coupon.contains(#"id="sync-state">On WeChat<"#))
        #expect(try await wechatState("life").status == 2)

        #expect(try staff.post("/admin/coupons/life/stock", "issued_num=100&receive_num=0").status == 303)
        coupon = try staff.page("/admin/coupons/life")
        #expect(coupon.contains("100 issued, 0 claimed") && coupon.contains(#"id="sync-state">On WeChat<"#))
        #expect(try sandbox.calls("/shop/coupon/update_coupon_stock") == 1)

        let claimed = try staff.post("/admin/user-coupons", "openid=o-life&out_coupon_id=life&out_user_coupon_id=u-life")
        #expect(claimed.headers["location"] == "/admin/user-coupons?openid=o-life&done=claimed")
        #expect(try staff.post("/admin/user-coupons", "openid=o-life&out_coupon_id=life&out_user_coupon_id=u-life-2").status == 409, "one per person")
        #expect(try staff.post("/admin/user-coupons/u-life/status", "status=102").status == 303)
        let user = try staff.page("/admin/user-coupons?openid=o-life")
        let wechatTable = try #require(user.firstMatch(of: /<table class="coupons" id="wechat-user-coupons">(.*?)<\/table>/.dotMatchesNewlines())?.1)
        #expect(wechatTable.contains(#"<tr data-id="u-life">"#) && wechatTable.contains("Used"), "\(wechatTable)")
        #expect(!user.contains("Waiting to reach WeChat") && !user.contains("Refused by WeChat"))

        #expect(try staff.post("/admin/coupons/life/status", "status=4").status == 303)
        #expect(try await wechatState("life").status == 4)
        let refused = try staff.post("/admin/coupons/life/status", "status=2")
        #expect(refused.status == 409 && refused.text.contains("A coupon in status “Voided” cannot become “Active”."))

        try await sandbox.withClient { client in
            for index in 1...3 {
                try await client.addCoupon(try Coupon.decode(requestBody: try JSONParser.parse(Array(WeChatExample.directReduction(id: "elsewhere-\(index)").utf8))))
            }
        }
        let started = try staff.post("/admin/imports", "")
        let location = try #require(started.headers["location"])
        #expect(started.status == 303 && location.hasPrefix("/admin/imports/"))
        var progress = try staff.page(location)
        for _ in 1...150 where progress.contains("http-equiv=\"refresh\"") {
            try await Task.sleep(for: .milliseconds(200))
            progress = try staff.page(location)
        }
        #expect(progress.contains(#"data-state="synced">Done<"#) && progress.contains(#"<dd id="import-created">3</dd>"#), "\(progress)")
        #expect(try staff.page("/admin/coupons?q=elsewhere").matches(of: /<tr data-id="elsewhere-[0-9]">/).count == 3)
        #expect(!stack.workerLog.contains("status=500"))
    }
}

/// A member of staff (an editor) logged in through nginx, reading pages in English and posting forms with
/// the session's CSRF token, as a browser would.
struct StaffSession {
    let stack: Stack
    let cookie: String

    init(_ stack: Stack, name: String, password: String) throws {
        self.stack = stack
        try stack.addStaff(name, role: "editor", password: password)
        let login = try stack.request(
            "POST", "/admin/login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Array("name=\(name)&password=\(password)".utf8), authorized: false)
        cookie = String(try #require(login.headers["set-cookie"]?.split(separator: ";").first))
    }

    func page(_ path: String) throws -> String {
        let answer = try stack.get(path, headers: ["Cookie": cookie, "Accept-Language": "en"], authorized: false)
        #expect(answer.status == 200, "\(path): \(answer.status)")
        return answer.text
    }

    func post(_ path: String, _ form: String) throws -> HTTPResponse {
        let token = try #require(try page("/admin/coupons").firstMatch(of: /name="csrf_token" value="([A-Za-z0-9_-]+)"/)?.1)
        return try stack.request(
            "POST", path, headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Accept-Language": "en"],
            body: Array((form + "&csrf_token=\(token)").utf8), authorized: false)
    }
}
