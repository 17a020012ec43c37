import Coupons
import FastCGI
import Foundation
@testable import Storage
import Testing
@testable import Web

/// The import's page and the user-coupon page on the worker's router with a real database and no WeChat;
/// the same pages against the sandbox through nginx are in `AdminPagesThroughNginxTests`.
extension AdminPagesTests {
    @Test func anImportsPageShowsItsProgressAndReloadsOnlyWhileItRuns() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        let noWeChat = try await send("POST", "/admin/imports", form: "", as: staff, language: "en")
        #expect(noWeChat.status == 409 && noWeChat.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(!html(try await send("GET", "/admin/coupons", as: staff)).contains(#"action="/admin/imports""#), "no import button without WeChat")

        var (run, started) = try database.imports.startImportRun(by: "li.wei", now: 1_795_000_000, staleAfter: 120)
        #expect(started)
        run.totalNum = 450
        run.seen = 200
        run.created = 199
        run.differing = 1
        try database.imports.recordImportProgress(run, now: 1_795_000_010)
        var page = html(try await send("GET", "/admin/imports/\(run.id)", as: staff, language: "zh-CN"))
        #expect(page.contains(#"<meta http-equiv="refresh" content="2">"#))
        #expect(page.contains(#"<progress id="import-progress" max="450" value="200"></progress>"#) && page.contains("已读取 200 / 450 张优惠券"))
        #expect(page.contains(#"<dd id="import-created">199</dd>"#) && page.contains(#"<dd id="import-differing">1</dd>"#))
        #expect(page.contains(#"href="/admin/coupons?wechat_differs=true""#))

        run.state = .done
        run.seen = 450
        run.finishedAt = 1_795_000_020
        try database.imports.recordImportProgress(run, now: 1_795_000_020)
        page = html(try await send("GET", "/admin/imports/\(run.id)", as: staff, language: "en"))
        #expect(!page.contains("http-equiv=\"refresh\"") && page.contains(#"id="import-state" data-state="synced">Done<"#))
        #expect(try await send("GET", "/admin/imports/999", as: staff).status == 404)
    }

    @Test func anImportWhoseProcessDiedShowsAsStoppedAndReloadsNoMore() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        // The router's clock is at 1_795_000_000: this run has not beaten for 121 s.
        let (run, _) = try database.imports.startImportRun(by: "li.wei", now: 1_794_999_879, staleAfter: 120)
        let page = html(try await send("GET", "/admin/imports/\(run.id)", as: staff, language: "zh-CN"))
        #expect(!page.contains("http-equiv=\"refresh\"") && page.contains(#"data-state="rejected">失败<"#))
        #expect(page.contains(#"<p class="error-text" id="import-error">导入进程在完成前已停止；可以重新开始导入。</p>"#))
    }

    @Test func theListShowsAndFiltersTheCouponsThatDifferFromWeChat() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        for id in ["same", "other"] {
            let form = Self.common.merging(["type": "104", "out_coupon_id": id, "name": id, "reduction_yuan": "5"]) { $1 }
            #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        }
        try await database.writer.write { try $0.execute(sql: "UPDATE coupon SET wechat_differs = 'coupon_info.name' WHERE out_coupon_id = 'other'") }
        let filtered = html(try await send("GET", "/admin/coupons", query: "wechat_differs=true", as: staff, language: "en"))
        #expect(filtered.matches(of: /data-id="([a-z]+)"/).map { String($0.1) } == ["other"])
        #expect(filtered.contains("Differs from WeChat") && filtered.contains(#"name="wechat_differs" type="checkbox" value="true" checked"#))
        let page = html(try await send("GET", "/admin/coupons/other", as: staff, language: "en"))
        #expect(page.contains("WeChat&#39;s copy of this coupon differs from this one in: coupon_info.name."), "\(page)")
        #expect(try await send("GET", "/admin/coupons", query: "wechat_differs=yes", as: staff).status == 400)
    }

    @Test func staffGiveACouponToAUserWithinItsLimitsAndChangeIt() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        let form = Self.common.merging(["type": "104", "out_coupon_id": "gift", "name": "直减", "reduction_yuan": "5", "claim_start": "2026-11-01T10:00"]) { $1 }
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        let notYet = try await send("POST", "/admin/user-coupons", form: "openid=o-1&out_coupon_id=gift&out_user_coupon_id=u-1", as: staff, language: "en")
        #expect(notYet.status == 409 && html(notYet).contains("Users can be given only an active coupon; this one is: Not active yet."))
        #expect(html(notYet).contains(#"value="u-1""#), "the claim form keeps its values")
        #expect(try await send("POST", "/admin/coupons/gift/status", form: "status=2", as: staff).status == 303)

        let claimed = try await send("POST", "/admin/user-coupons", form: "openid=o-1&out_coupon_id=gift&out_user_coupon_id=u-1", as: staff)
        #expect(claimed.status == 303 && claimed.headers["Location"] == "/admin/user-coupons?openid=o-1&done=claimed")
        #expect(try await send("POST", "/admin/user-coupons", form: "openid=o-1&out_coupon_id=gift&out_user_coupon_id=u-2", as: staff).status == 303)
        let third = try await send("POST", "/admin/user-coupons", form: "openid=o-1&out_coupon_id=gift&out_user_coupon_id=u-3", as: staff, language: "zh-CN")
        #expect(third.status == 409 && html(third).contains("该用户已有 2 张这种优惠券，已达每人上限。"))
        let bad = try await send("POST", "/admin/user-coupons", form: "openid=o+1&out_coupon_id=&out_user_coupon_id=u-4", as: staff, language: "en")
        #expect(bad.status == 422 && html(bad).contains(#"id="openid-error">May contain only letters, digits, _ and -.<"#))
        #expect(html(bad).contains(#"id="out_coupon_id-error">Please fill this in.<"#))
        let unknown = try await send("POST", "/admin/user-coupons", form: "openid=o-1&out_coupon_id=none&out_user_coupon_id=u-5", as: staff, language: "en")
        #expect(unknown.status == 409 && html(unknown).contains("There is no coupon with this id here."))

        var page = html(try await send("GET", "/admin/user-coupons", query: "openid=o-1&done=claimed", as: staff, language: "en"))
        #expect(page.contains("The coupon was given to the user") && page.contains("2 in all"))
        #expect(page.matches(of: /<tr data-id="(u-[0-9])">/).map { String($0.1) } == ["u-1", "u-2"])
        #expect(page.contains("Waiting to reach WeChat") && page.contains(#"id="u-1-to-102""#) && !page.contains(#"id="u-1-to-100""#))

        let used = try await send("POST", "/admin/user-coupons/u-1/status", form: "status=102", as: staff)
        #expect(used.headers["Location"] == "/admin/user-coupons?openid=o-1&done=changed")
        let badTime = try await send("POST", "/admin/user-coupons/u-1/use-time", form: "use_time=soon", as: staff, language: "en")
        #expect(badTime.status == 422 && html(badTime).contains("Enter a date and time, e.g. 2026-11-23 10:00."))
        #expect(try await send("POST", "/admin/user-coupons/u-1/use-time", form: "use_time=2026-11-20T12%3A30", as: staff).status == 303)
        let stored = try #require(try database.coupons.userCoupon(outUserCouponID: "u-1"))
        #expect(stored.status == 102 && stored.useTime == 1_795_149_000)
        page = html(try await send("GET", "/admin/user-coupons", query: "openid=o-1", as: staff, language: "en"))
        #expect(page.contains("2026-11-20 12:30") && page.contains(#"id="u-1-to-100""#))
        #expect(try await send("POST", "/admin/user-coupons/none/status", form: "status=102", as: staff).status == 404)

        let viewer = try await logIn("wang.fang")
        let seen = html(try await send("GET", "/admin/user-coupons", query: "openid=o-1", as: viewer))
        #expect(seen.contains(#"<tr data-id="u-1">"#) && !seen.contains(#"id="claim""#) && !seen.contains("/status\""))
    }

    @Test func aUsersStoredCouponsArePagedBothWays() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        let form = Self.common.merging(["type": "104", "out_coupon_id": "many", "name": "直减", "reduction_yuan": "5"]) { $1 }
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        try await database.writer.write { db in
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 105)
                INSERT INTO user_coupon (out_user_coupon_id, openid, coupon_id, status, recv_time, sync_state, created_at, updated_at)
                SELECT printf('u-%03d', i), 'o-9', (SELECT id FROM coupon WHERE out_coupon_id = 'many'), 100, 1, 'pending', 1, 1 FROM n
                """)
        }
        let first = html(try await send("GET", "/admin/user-coupons", query: "openid=o-9", as: staff, language: "en"))
        #expect(first.contains("1–100 of 105") && first.contains(#"<a href="/admin/user-coupons?openid=o-9&amp;page=2" rel="next">"#))
        #expect(!first.contains(#"rel="prev""#))
        let second = html(try await send("GET", "/admin/user-coupons", query: "openid=o-9&page=2", as: staff, language: "en"))
        #expect(second.contains("101–105 of 105") && second.contains(#"<a href="/admin/user-coupons?openid=o-9" rel="prev">"#))
        #expect(second.matches(of: /<tr data-id="(u-[0-9]+)">/).map { String($0.1) } == ["u-101", "u-102", "u-103", "u-104", "u-105"])
    }
}
