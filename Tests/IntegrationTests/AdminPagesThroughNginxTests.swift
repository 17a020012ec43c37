import Foundation
import TestSupport
import Testing

/// The coupon page's actions through nginx, with the sandbox as WeChat: a coupon WeChat refused is
/// sent again and synced, and one is refreshed from WeChat; each ends on the coupon's page with a notice.
@Suite struct AdminPagesThroughNginxTests {
    @Test func retryAndRefreshFromTheCouponsPage() throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        try stack.addStaff("zhao.lei", role: "editor", password: "retry-and-refresh")
        let login = try stack.request(
            "POST", "/admin/login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Array("name=zhao.lei&password=retry-and-refresh".utf8), authorized: false)
        let cookie = String(try #require(login.headers["set-cookie"]?.split(separator: ";").first))
        func page(_ path: String) throws -> String {
            let answer = try stack.get(path, headers: ["Cookie": cookie, "Accept-Language": "en"], authorized: false)
            #expect(answer.status == 200, "\(path): \(answer.status)")
            return answer.text
        }
        func post(_ path: String, _ form: String) throws -> HTTPResponse {
            let token = try #require(try page("/admin/new-coupon").firstMatch(of: /name="csrf_token" value="([A-Za-z0-9_-]+)"/)?.1)
            return try stack.request("POST", path, headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie],
                                     body: Array((form + "&csrf_token=\(token)").utf8), authorized: false)
        }

        // WeChat refuses the first add.
        try sandbox.faults(#"{"errcode":1090011,"errcode_count":1}"#)
        let form = "type=104&out_coupon_id=page-retry&name=retry&finder_nickname=live&reduction_yuan=5&claim_start=2026-12-01T10%3A00"
            + "&claim_end=2026-12-31T10%3A00&per_person=1&total=10&valid_type=2&valid_days=7"
        let created = try post("/admin/coupons", form)
        #expect(created.status == 303 && created.headers["location"] == "/admin/coupons/page-retry?done=saved")
        let refused = try page("/admin/coupons/page-retry")
        #expect(refused.contains("Refused by WeChat") && refused.contains("WeChat error 1090011: A product coupon must name its products."))
        #expect(refused.contains(#"action="/admin/coupons/page-retry/sync""#))

        let retried = try post("/admin/coupons/page-retry/sync", "")
        #expect(retried.status == 303 && retried.headers["location"] == "/admin/coupons/page-retry?done=retried")
        let synced = try page("/admin/coupons/page-retry?done=retried")
        #expect(synced.contains("The coupon was sent to WeChat again.") && synced.contains(#"id="sync-state">On WeChat<"#))
        #expect(!synced.contains(#"action="/admin/coupons/page-retry/sync""#), "nothing to retry once synced")
        #expect(synced.contains("Asked to send it to WeChat again"))

        let refreshed = try post("/admin/coupons/page-retry/refresh", "")
        #expect(refreshed.status == 303 && refreshed.headers["location"] == "/admin/coupons/page-retry?done=refreshed")
        #expect(try page("/admin/coupons/page-retry?done=refreshed").contains("Refreshed it from WeChat"))
        #expect(try sandbox.calls("/shop/coupon/get") >= 1)
        #expect(!stack.workerLog.contains("status=500"))
    }
}
