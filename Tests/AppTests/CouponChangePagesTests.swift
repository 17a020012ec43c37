import Accounts
import Coupons
import FastCGI
import Foundation
@testable import Storage
import Testing
@testable import Web

/// The coupon page's changes, on the worker's router with a real database and no WeChat: the edit form,
/// the status buttons and the stock form, each stored and queued by the same rules as the API's.
extension AdminPagesTests {
    /// The values a browser would send back from a form page: every input and textarea, the checked radios.
    static func formValues(_ page: String) -> [String: String] {
        var values: [String: String] = [:]
        for match in page.matches(of: /<input id="[a-z_]+" name="([a-z_]+)" type="(?:text|datetime-local)"(?: inputmode="[a-z]+")? value="([^"]*)"/) {
            values[String(match.1)] = unescaped(String(match.2))
        }
        for match in page.matches(of: /<textarea id="[a-z_]+" name="([a-z_]+)"[^>]*>([^<]*)<\/textarea>/) {
            values[String(match.1)] = unescaped(String(match.2))
        }
        for match in page.matches(of: /<input type="radio" name="([a-z_]+)" id="[a-z_]+-[0-9]+" value="([0-9]+)" checked/) {
            values[String(match.1)] = String(match.2)
        }
        if let version = page.firstMatch(of: /<input type="hidden" name="version" value="([0-9]+)">/) { values["version"] = String(version.1) }
        return values
    }

    @Test func twoPeopleEditTheSameCouponAndTheSecondIsShownBothVersions() async throws {
        defer { directory.remove() }
        try database.accounts.addUser(name: "zhao.lei", role: .editor, passwordHash: try PasswordHash(password: Self.password).stored, actor: "test", now: 1)
        let li = try await logIn("li.wei"), zhao = try await logIn("zhao.lei")
        let form = Self.common.merging(["type": "102", "out_coupon_id": "c-both", "name": "满100减20", "threshold_yuan": "100", "reduction_yuan": "20"]) { $1 }
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: li).status == 303)
        var lisForm = Self.formValues(html(try await send("GET", "/admin/coupons/c-both/edit", as: li)))
        var zhaosForm = Self.formValues(html(try await send("GET", "/admin/coupons/c-both/edit", as: zhao)))
        #expect(lisForm["version"] == "1" && zhaosForm["version"] == "1")

        lisForm["name"] = "满100减25"
        lisForm["reduction_yuan"] = "25"
        #expect(try await send("POST", "/admin/coupons/c-both/edit", form: Self.encoded(lisForm), as: li).headers["Location"] == "/admin/coupons/c-both?done=edited")
        zhaosForm["name"] = "满100减30"
        zhaosForm["reduction_yuan"] = "30"
        let refused = try await send("POST", "/admin/coupons/c-both/edit", form: Self.encoded(zhaosForm), as: zhao, language: "en")
        #expect(refused.status == 409)
        let page = html(refused)
        #expect(page.contains("li.wei saved this coupon at") && page.contains("Your changes are not saved yet."))
        #expect(page.contains(#"<td data-label="Saved now" class="theirs">满100减25</td><td data-label="Yours" class="yours">满100减30</td>"#))
        #expect(page.contains(#"class="theirs">25</td>"#) && page.contains(#"class="yours">30</td>"#))
        #expect(!page.contains(#"class="theirs">100</td>"#), "only the fields that differ are shown")
        #expect(try database.coupons.coupon(outCouponID: "c-both")?.name == "满100减25", "li.wei's edit stands")
        let again = Self.formValues(page)
        #expect(again["name"] == "满100减30" && again["version"] == "2", "the form keeps zhao.lei's values, now against li.wei's version")

        let saved = try await send("POST", "/admin/coupons/c-both/edit", form: Self.encoded(again), as: zhao)
        #expect(saved.headers["Location"] == "/admin/coupons/c-both?done=edited")
        #expect(try database.coupons.coupon(outCouponID: "c-both").map { "\($0.name) \($0.version)" } == "满100减30 3")
    }

    @Test func aStatusChangeFromAPageOpenedBeforeSomeoneElsesIsRefused() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        let form = Self.common.merging(["type": "104", "out_coupon_id": "c-old", "name": "直减", "reduction_yuan": "5"]) { $1 }
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        let page = html(try await send("GET", "/admin/coupons/c-old", as: staff, language: "en"))
        #expect(page.contains(#"<input type="hidden" name="version" value="1">"#))
        #expect(try await send("POST", "/admin/coupons/c-old/status", form: "version=1&status=2", as: staff).status == 303)
        let stale = try await send("POST", "/admin/coupons/c-old/stock", form: "version=1&issued_num=5&receive_num=0", as: staff, language: "en")
        #expect(stale.status == 409 && html(stale).contains("Someone changed this coupon after you opened this page"))
        #expect(try database.coupons.coupon(outCouponID: "c-old")?.issuedNum == nil)
    }

    static func unescaped(_ text: String) -> String {
        [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")].reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    @Test(arguments: forms.indices)
    func theEditFormShowsEachTypeAsItWasTypedSoSavingItChangesNothing(index: Int) async throws {
        defer { directory.remove() }
        let (type, fields, _) = Self.forms[index]
        let staff = try await logIn("li.wei")
        var form = Self.common.merging(fields) { $1 }
        form.merge(["type": String(type.rawValue), "out_coupon_id": "edit-\(type.rawValue)", "name": "满减 <\(type.rawValue)>"]) { $1 }
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        let stored = try #require(try database.coupons.coupon(outCouponID: "edit-\(type.rawValue)"))

        let page = html(try await send("GET", "/admin/coupons/edit-\(type.rawValue)/edit", as: staff, language: "en"))
        #expect(page.contains(#"action="/admin/coupons/edit-\#(type.rawValue)/edit""#))
        #expect(page.contains(#"value="edit-\#(type.rawValue)" readonly"#))
        let shown = Self.formValues(page)
        #expect(shown["type"] == String(type.rawValue) && shown["name"] == "满减 <\(type.rawValue)>")
        let saved = try await send("POST", "/admin/coupons/edit-\(type.rawValue)/edit", form: Self.encoded(shown), as: staff)
        #expect(saved.headers["Location"] == "/admin/coupons/edit-\(type.rawValue)?done=unchanged", "\(html(saved))")
        #expect(try database.coupons.coupon(outCouponID: "edit-\(type.rawValue)")?.body == stored.body)
    }

    @Test func anEditIsStoredWithItsHistoryAndABadOneComesBackWithItsValues() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        let form = Self.common.merging(["type": "102", "out_coupon_id": "c-edit", "name": "满100减20", "threshold_yuan": "100", "reduction_yuan": "20"]) { $1 }
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        var shown = Self.formValues(html(try await send("GET", "/admin/coupons/c-edit/edit", as: staff)))

        shown["reduction_yuan"] = "120"
        let bad = try await send("POST", "/admin/coupons/c-edit/edit", form: Self.encoded(shown), as: staff, language: "en")
        #expect(bad.status == 422)
        #expect(html(bad).contains(#"id="reduction_yuan-error">Must be less than the order amount needed.<"#) && html(bad).contains(#"value="120""#))
        #expect(try database.coupons.coupon(outCouponID: "c-edit")?.coupon?.couponInfo.discountInfo.discountFee == 2000, "nothing stored")

        shown["reduction_yuan"] = "25.5"
        shown["name"] = "满100减25.5"
        shown["out_coupon_id"] = "another-id"
        let saved = try await send("POST", "/admin/coupons/c-edit/edit", form: Self.encoded(shown), as: staff)
        #expect(saved.status == 303 && saved.headers["Location"] == "/admin/coupons/c-edit?done=edited")
        let record = try #require(try database.coupons.coupon(outCouponID: "c-edit"))
        #expect(record.coupon?.couponInfo.discountInfo.discountFee == 2550 && record.name == "满100减25.5")
        #expect(try database.coupons.coupon(outCouponID: "another-id") == nil, "the id in the path is the coupon's")
        let page = html(try await send("GET", "/admin/coupons/c-edit", query: "done=edited", as: staff, language: "en"))
        #expect(page.contains("The coupon was saved; where it stands at WeChat is shown below."))
        #expect(page.contains("<td>li.wei</td><td>Edited the coupon</td>"))
    }

    @Test func onlyTheAllowedStatusChangesAreOfferedAndEachIsQueued() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        let form = Self.common.merging(["type": "104", "out_coupon_id": "c-life", "name": "直减", "reduction_yuan": "5"]) { $1 }
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        // A coupon WeChat never took can be edited and activated, but has no stock yet.
        var page = html(try await send("GET", "/admin/coupons/c-life", as: staff, language: "en"))
        #expect(page.contains(#"id="edit""#) && page.contains(#"id="to-status-2""#))
        #expect(!page.contains(#"id="to-status-3""#) && !page.contains(#"id="to-status-4""#) && !page.contains(#"id="stock""#))

        let activated = try await send("POST", "/admin/coupons/c-life/status", form: "status=2", as: staff)
        #expect(activated.headers["Location"] == "/admin/coupons/c-life?done=changed")
        #expect(try database.coupons.coupon(outCouponID: "c-life")?.status == 2)
        page = html(try await send("GET", "/admin/coupons/c-life", as: staff, language: "en"))
        #expect(page.contains("Status to: Active") && page.contains("Waiting to reach WeChat"), "the queued change is shown")
        #expect(page.contains("<dt>Status asked for</dt><dd>Active</dd>"))
        #expect(!page.contains(#"id="edit""#) && !page.contains(#"id="to-status-2""#))
        #expect(page.contains(#"id="to-status-3""#) && page.contains(#"data-confirm="Void this coupon?"#) && page.contains(#"id="stock""#))
        let editAfter = try await send("GET", "/admin/coupons/c-life/edit", as: staff, language: "en")
        #expect(editAfter.status == 409 && html(editAfter).contains("Only a coupon that is not active yet can be edited; this one is: Active."))

        let again = try await send("POST", "/admin/coupons/c-life/status", form: "status=2", as: staff)
        #expect(again.headers["Location"] == "/admin/coupons/c-life?done=unchanged")
        #expect(try await send("POST", "/admin/coupons/c-life/status", form: "status=4", as: staff).status == 303)
        let back = try await send("POST", "/admin/coupons/c-life/status", form: "status=2", as: staff, language: "zh-CN")
        #expect(back.status == 409 && html(back).contains("状态为“已作废”的优惠券不能改为“生效”。"))
        #expect(try await send("POST", "/admin/coupons/c-life/status", form: "status=1", as: staff).status == 400)
        #expect(try database.coupons.changes(outCouponID: "c-life").map(\.status) == [2, 4])
        page = html(try await send("GET", "/admin/coupons/c-life", as: staff, language: "en"))
        #expect(!page.contains(#"id="to-status-"#), "nothing follows voided")
    }

    @Test func theStockFormChecksItsNumbersAndQueuesTheUpdate() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        let form = Self.common.merging(["type": "104", "out_coupon_id": "c-stock", "name": "直减", "reduction_yuan": "5"]) { $1 }
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        let early = try await send("POST", "/admin/coupons/c-stock/stock", form: "issued_num=10&receive_num=0", as: staff, language: "en")
        #expect(early.status == 409 && html(early).contains("Only an active coupon has stock; this one is: Not active yet. Activate it first."))

        #expect(try await send("POST", "/admin/coupons/c-stock/status", form: "status=2", as: staff).status == 303)
        let bad = try await send("POST", "/admin/coupons/c-stock/stock", form: "issued_num=10&receive_num=11", as: staff, language: "en")
        #expect(bad.status == 422)
        #expect(html(bad).contains(#"id="receive_num-error">Must not be more than the number issued (10).<"#) && html(bad).contains(#"value="11""#))
        let notNumbers = html(try await send("POST", "/admin/coupons/c-stock/stock", form: "issued_num=-1&receive_num=", as: staff, language: "en"))
        #expect(notNumbers.contains(#"id="issued_num-error">Enter a whole number from 0 to 2147483647.<"#))
        #expect(notNumbers.contains(#"id="receive_num-error">Please fill this in.<"#))
        #expect(try database.coupons.coupon(outCouponID: "c-stock")?.issuedNum == nil, "nothing stored")

        let saved = try await send("POST", "/admin/coupons/c-stock/stock", form: "issued_num=500&receive_num=20", as: staff)
        #expect(saved.headers["Location"] == "/admin/coupons/c-stock?done=changed")
        let record = try #require(try database.coupons.coupon(outCouponID: "c-stock"))
        #expect(record.issuedNum == 500 && record.receiveNum == 20)
        let page = html(try await send("GET", "/admin/coupons/c-stock", as: staff, language: "zh-CN"))
        #expect(page.contains("已发放 500，已领取 20") && page.contains("库存：发放 500，已领取 20"))
        #expect(page.contains(#"id="issued_num" name="issued_num" type="text" inputmode="numeric" value="500""#))
    }

    @Test func viewersSeeNoChangeButtonsAndCannotPostThem() async throws {
        defer { directory.remove() }
        let editor = try await logIn("li.wei")
        let form = Self.common.merging(["type": "104", "out_coupon_id": "c-view", "name": "直减", "reduction_yuan": "5"]) { $1 }
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: editor).status == 303)
        let viewer = try await logIn("wang.fang")
        let page = html(try await send("GET", "/admin/coupons/c-view", as: viewer))
        #expect(!page.contains(#"id="edit""#) && !page.contains("/status\""))
        #expect(try await send("POST", "/admin/coupons/c-view/status", form: "status=2", as: viewer).status == 403)
        #expect(try database.coupons.coupon(outCouponID: "c-view")?.status == 1)
    }

    @Test func everyLinkInTheNavigationLeadsToAPage() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        let page = html(try await send("GET", "/admin/coupons", as: staff))
        let navigation = try #require(page.firstMatch(of: /<nav aria-label="[^"]*">(.*?)<\/nav>/.dotMatchesNewlines()))
        let links = navigation.1.matches(of: /href="([^"?]+)(?:\?([^"]*))?"/).map { (String($0.1), $0.2.map(String.init) ?? "") }
        #expect(links.count >= 2)
        for (path, query) in links {
            #expect(try await send("GET", path, query: query, as: staff).status == 200, "\(path)")
        }
    }
}
