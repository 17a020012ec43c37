import Accounts
import Coupons
import FastCGI
import Foundation
import Logging
@testable import Storage
import TestSupport
import Testing
@testable import Web
@testable import App

/// The admin pages on the worker's router with a real database: the forms, the conversions they do,
/// the messages beside the fields, the languages, and escaping.
@Suite struct AdminPagesTests {
    static let password = "correct horse battery staple"
    let directory: TemporaryDirectory
    let database: AppDatabase
    let router: Router
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    init() throws {
        directory = try TemporaryDirectory("ca-pages")
        database = try AppDatabase(path: directory.path("coupons.sqlite"))
        let hash = try PasswordHash(password: Self.password).stored
        try database.accounts.addUser(name: "li.wei", role: .editor, passwordHash: hash, actor: "test", now: 1)
        try database.accounts.addUser(name: "wang.fang", role: .viewer, passwordHash: hash, actor: "test", now: 1)
        router = Application.makeRouter(database: database, now: { 1_795_000_000 })
    }

    /// A signed-in staff member: the session cookie and the CSRF token of the forms.
    struct Staff {
        var cookie: String
        var csrf: String
    }

    func logIn(_ name: String) async throws -> Staff {
        let body = "name=\(name)&password=\(Self.password.replacingOccurrences(of: " ", with: "+"))"
        let response = try await send("POST", "/admin/login", form: body)
        #expect(response.status == 303)
        let cookie = String(try #require(response.headers["Set-Cookie"]?.split(separator: ";").first))
        let session = try #require(try StaffSessions(database: database, now: { 1_795_000_000 })
            .current(for: Request(method: "GET", path: "/", headers: HTTPHeaders([("Cookie", cookie)]))))
        return Staff(cookie: cookie, csrf: session.csrfToken)
    }

    func send(_ method: String, _ path: String, query: String = "", form: String? = nil, as staff: Staff? = nil, language: String? = nil) async throws -> Response {
        var headers = HTTPHeaders()
        if form != nil { headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded") }
        if let staff { headers.add(name: "Cookie", value: staff.cookie) }
        if let language { headers.add(name: "Accept-Language", value: language) }
        var body = form ?? ""
        if let staff, form != nil, method == "POST" { body += (body.isEmpty ? "" : "&") + "csrf_token=\(staff.csrf)" }
        return try await router.respond(to: Request(method: method, path: path, query: query, headers: headers, body: Array(body.utf8)), logger: logger)
    }

    static func encoded(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.sorted().joined(separator: "&")
    }

    static let common = [
        "out_coupon_id": "", "name": "", "finder_nickname": "shop-live", "claim_start": "2026-12-01T10:00", "claim_end": "2026-12-31 22:00",
        "per_person": "2", "total": "500", "valid_type": "2", "valid_days": "7",
    ]

    /// A filled-in form for each type, with what WeChat's fields must come out as.
    static let forms: [(type: CouponType, fields: [String: String], expected: Coupon.DiscountInfo)] = [
        (.productConditionalDiscount, ["product_ids": "p-1\r\np-2", "product_count": "3", "discount_zhe": "9.8"],
         .init(discountCondition: .init(productCnt: 3, outProductIDs: ["p-1", "p-2"]), discountNum: 9800)),
        (.productFullReduction, ["product_ids": "p-1, p-2，p-3", "threshold_yuan": "100", "reduction_yuan": "20"],
         .init(discountCondition: .init(productPrice: 10000, outProductIDs: ["p-1", "p-2", "p-3"]), discountFee: 2000)),
        (.productFlatDiscount, ["product_ids": "p-1", "discount_zhe": "8.55"], .init(discountCondition: .init(outProductIDs: ["p-1"]), discountNum: 8550)),
        (.productDirectReduction, ["product_ids": "p-1", "reduction_yuan": "9.90"], .init(discountCondition: .init(outProductIDs: ["p-1"]), discountFee: 990)),
        (.productExchange, ["product_ids": "p-1", "tradein_product_id": "gift-1", "tradein_price_yuan": "0.1"],
         .init(discountCondition: .init(outProductIDs: ["p-1"], tradeinInfo: .init(outProductID: "gift-1", price: 10)))),
        (.productBuyGet, ["buy_product_id": "p-1", "buy_count": "2", "get_product_id": "p-2", "get_count": "1"],
         .init(discountCondition: .init(buygetInfo: .init(buyOutProductID: "p-1", buyProductCnt: 2, getOutProductID: "p-2", getProductCnt: 1)))),
        (.shopConditionalDiscount, ["product_count": "2", "discount_zhe": "9"], .init(discountCondition: .init(productCnt: 2), discountNum: 9000)),
        (.shopFullReduction, ["threshold_yuan": "0.30", "reduction_yuan": "0.2"], .init(discountCondition: .init(productPrice: 30), discountFee: 20)),
        (.shopFlatDiscount, ["discount_zhe": "0.001"], .init(discountNum: 1)),
        (.shopDirectReduction, ["reduction_yuan": "21474836.47"], .init(discountFee: 2_147_483_647)),
    ]

    @Test(arguments: forms.indices)
    func eachTypeIsStoredInWeChatsUnits(index: Int) async throws {
        defer { directory.remove() }
        let (type, fields, expected) = Self.forms[index]
        let staff = try await logIn("li.wei")
        var form = Self.common.merging(fields) { $1 }
        form["type"] = String(type.rawValue)
        form["out_coupon_id"] = "form-\(type.rawValue)"
        form["name"] = "满减 \(type.rawValue)"
        let response = try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff)
        #expect(response.status == 303, "\(String(decoding: response.body, as: UTF8.self))")
        #expect(response.headers["Location"] == "/admin/coupons/form-\(type.rawValue)?done=saved")

        let coupon = try #require(try database.coupons.coupon(outCouponID: "form-\(type.rawValue)")?.coupon)
        #expect(coupon.type == type)
        #expect(coupon.couponInfo.discountInfo == expected)
        // Shanghai is UTC+8: 2026-12-01 10:00 there is 02:00 UTC.
        #expect(coupon.couponInfo.receiveInfo == .init(startTime: 1_796_090_400, endTime: 1_798_725_600, limitNumOnePerson: 2, totalNum: 500))
        #expect(coupon.couponInfo.validInfo == .init(validType: .days, validDayNum: 7))
        #expect(try database.audit.history(ofCoupon: coupon.outCouponID).first?.actor == "li.wei")
    }
}

extension AdminPagesTests {
    func html(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func aBadFormComesBackWithEveryValueKeptAndEachMessageBesideItsField() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        var form = Self.common
        form["type"] = "2"
        form["out_coupon_id"] = "bad id!"
        form["name"] = "春节满减"
        form["product_ids"] = "p-1\np-1"
        form["threshold_yuan"] = "100"
        form["reduction_yuan"] = "12.345"
        form["claim_end"] = "2026-11-30T10:00"
        form["discount_zhe"] = "not used by type 2"
        let response = try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff, language: "zh-CN")
        #expect(response.status == 422)
        let page = html(response)
        #expect(page.contains(#"value="12.345""#) && page.contains(#"value="bad id!""#) && page.contains(#"value="春节满减""#))
        #expect(page.contains(">p-1\np-1</textarea>"))
        #expect(page.contains(#"<p class="error" id="reduction_yuan-error">请输入以元为单位、最多两位小数的金额，例如 12.50。</p>"#))
        #expect(page.contains(#"<p class="error" id="out_coupon_id-error">只能包含字母、数字、_ 和 -。</p>"#))
        #expect(page.contains(#"<p class="error" id="product_ids-error">“p-1”重复出现。</p>"#))
        #expect(page.contains(#"<p class="error" id="claim_end-error">必须晚于开始时间。</p>"#))
        #expect(!page.contains("discount_zhe-error"), "a field the type does not use is not checked")
        #expect(page.contains(#"id="type-2" value="2" checked"#))
        #expect(try database.coupons.coupons(matching: .init(), limit: 10).records.isEmpty, "nothing is stored")
    }

    @Test func reductionMustBeBelowTheThresholdAndAnEmptyFormSaysWhatIsMissing() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        var form = Self.common
        form.merge(["type": "102", "out_coupon_id": "c-1", "name": "n", "threshold_yuan": "100", "reduction_yuan": "100"]) { $1 }
        let page = html(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff, language: "en"))
        #expect(page.contains(#"id="reduction_yuan-error">Must be less than the order amount needed.<"#))

        let empty = try await send("POST", "/admin/coupons", form: "", as: staff, language: "en")
        #expect(empty.status == 422)
        let emptyPage = html(empty)
        #expect(emptyPage.contains(#"id="type-error">Please choose one.<"#))
        #expect(emptyPage.contains(#"id="name-error">Please fill this in.<"#))
        #expect(emptyPage.contains(#"id="valid_type-error">Please choose one.<"#))
    }

    @Test func anIdAlreadyTakenIsSaidBesideTheIdAndASecondIdenticalPostStoresOnce() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        var form = Self.common
        form.merge(["type": "104", "out_coupon_id": "twice", "name": "once", "reduction_yuan": "5"]) { $1 }
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        form["reduction_yuan"] = "6"
        let taken = try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff, language: "en")
        #expect(taken.status == 409 && html(taken).contains(#"id="out_coupon_id-error">Another coupon already has this id; choose another.<"#))
        #expect(try database.coupons.coupon(outCouponID: "twice")?.coupon?.couponInfo.discountInfo.discountFee == 500)
    }

    @Test func markupInANameIsShownAsText() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        var form = Self.common
        form.merge(["type": "104", "out_coupon_id": "xss", "name": "<img src=x onerror=alert(1)>", "reduction_yuan": "5"]) { $1 }
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        for path in ["/admin/coupons", "/admin/coupons/xss"] {
            let page = html(try await send("GET", path, as: staff))
            #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"), "\(path)")
            #expect(!page.contains("<img"), "\(path)")
        }
    }

    @Test func theListSaysTheOfferInWordsInEitherLanguage() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        for (id, fields) in [("full", ["type": "2", "product_ids": "p-1", "threshold_yuan": "100", "reduction_yuan": "20"]),
                             ("flat", ["type": "103", "discount_zhe": "9.8"])] {
            let form = Self.common.merging(fields) { $1 }.merging(["out_coupon_id": id, "name": id]) { $1 }
            #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        }
        let chinese = html(try await send("GET", "/admin/coupons", as: staff, language: "zh-CN,en;q=0.5"))
        #expect(chinese.contains("满100元减20元") && chinese.contains("9.8折") && chinese.contains("商品满减券"))
        #expect(chinese.contains("2026-12-01 10:00 至 2026-12-31 22:00") && chinese.contains("等待同步到微信"))
        let english = html(try await send("GET", "/admin/coupons", as: staff, language: "en-GB"))
        #expect(english.contains("¥20 off orders of ¥100 or more") && english.contains("2% off") && english.contains("Shop flat discount"))

        let filtered = html(try await send("GET", "/admin/coupons", query: "type=103&status=&sync_state=&q=", as: staff))
        #expect(filtered.contains("9.8折") && !filtered.contains("满100元减20元"))
        let searched = html(try await send("GET", "/admin/coupons", query: "q=ful", as: staff))
        #expect(searched.contains(#"data-id="full""#) && !searched.contains(#"data-id="flat""#))
    }

    @Test func theLanguageComesFromTheSwitchThenAcceptLanguage() async throws {
        defer { directory.remove() }
        #expect(html(try await send("GET", "/admin/login")).contains(#"<html lang="zh-CN">"#), "Chinese by default")
        #expect(html(try await send("GET", "/admin/login", language: "fr, en;q=0.8")).contains(">Log in</h1>"))
        let switched = try await send("GET", "/admin/language/en", query: "next=/admin/coupons%3Ftype%3D2")
        #expect(switched.status == 303 && switched.headers["Location"] == "/admin/coupons?type=2")
        #expect(switched.headers["Set-Cookie"]?.hasPrefix("coupon_admin_lang=en;") == true)
        let remembered = try await router.respond(to: Request(
            method: "GET", path: "/admin/login", headers: HTTPHeaders([("Cookie", "coupon_admin_lang=en"), ("Accept-Language", "zh-CN")])), logger: logger)
        #expect(html(remembered).contains(">Log in</h1>"))
        #expect(try await send("GET", "/admin/language/fr").status == 404)
        #expect(try await send("GET", "/admin/language/en", query: "next=https://evil.example/").headers["Location"] == "/admin/coupons")
    }

    @Test func aFailedLoginShowsTheFormAgainWithTheNameButNotThePassword() async throws {
        defer { directory.remove() }
        let response = try await send("POST", "/admin/login", form: "name=li.wei&password=guess-guess&next=/admin/coupons", language: "en")
        #expect(response.status == 401 && response.headers["Content-Type"] == "text/html; charset=utf-8")
        let page = html(response)
        #expect(page.contains("The name or the password is not right") && page.contains(#"value="li.wei""#))
        #expect(!page.contains("guess-guess") && page.contains(#"name="next" value="/admin/coupons""#))
    }

    @Test func viewersSeeButCannotCreateAndFormsNeedTheirToken() async throws {
        defer { directory.remove() }
        let viewer = try await logIn("wang.fang")
        #expect(try await send("GET", "/admin/coupons", as: viewer).status == 200)
        let refused = try await send("GET", "/admin/new-coupon", as: viewer, language: "en")
        #expect(refused.status == 403 && html(refused).contains("Your role does not allow this."))
        #expect(!html(try await send("GET", "/admin/coupons", as: viewer)).contains("/admin/new-coupon"), "no link to what the role cannot do")

        let editor = try await logIn("li.wei")
        let form = Self.common.merging(["type": "104", "out_coupon_id": "no-token", "name": "n", "reduction_yuan": "5"]) { $1 }
        let headers = HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", editor.cookie), ("Accept-Language", "en")])
        let forged = try await router.respond(
            to: Request(method: "POST", path: "/admin/coupons", headers: headers, body: Array(Self.encoded(form).utf8)), logger: logger)
        #expect(forged.status == 403 && html(forged).contains("The form was out of date"))
        #expect(try database.coupons.coupon(outCouponID: "no-token") == nil)
        #expect(html(try await send("GET", "/admin/new-coupon", as: editor)).contains(#"name="csrf_token" value="\#(editor.csrf)""#))
    }

    @Test func anUnknownCouponOrPageIsAnHTMLPage() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        let missing = try await send("GET", "/admin/coupons/none-such", as: staff, language: "en")
        #expect(missing.status == 404 && missing.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(try await send("GET", "/admin/nowhere", as: staff).headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(try await send("GET", "/api/v1/nowhere").headers["Content-Type"] == "application/problem+json")
    }
}

extension AdminPagesTests {
    @Test func theNewFormShowsEveryFieldLabelledAndStartsWithUsefulValues() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        let page = html(try await send("GET", "/admin/new-coupon", query: "type=102", as: staff, language: "en"))
        for field in CouponForm.fieldNames where field != "type" && field != "valid_type" {
            #expect(page.contains(#"<label for="\#(field)">"#) && page.contains(#"id="\#(field)" name="\#(field)""#), "\(field)")
        }
        #expect(page.contains(#"id="type-102" value="102" checked"#) && page.contains(#"id="valid_type-2" value="2" checked"#))
        // 1_795_000_000 is 2026-11-18 19:06:40 in Shanghai: claimable from the next hour, for 30 days.
        #expect(page.contains(#"id="claim_start" name="claim_start" type="datetime-local" value="2026-11-18T20:00""#))
        #expect(page.contains(#"id="claim_end" name="claim_end" type="datetime-local" value="2026-12-18T20:00""#))
        // Only the offer's fields and the validity's belong to some choices; the script hides by these marks.
        #expect(page.contains("<div class=\"field\">\n<label for=\"out_coupon_id\">"))
        #expect(page.contains("<div class=\"field\" data-valid=\"2\">\n<label for=\"valid_days\">"))
        #expect(page.contains(#"data-types="2 102""#) && page.contains("For: Product full-reduction, Shop full-reduction"))
    }
}

extension AdminPagesTests {
    @Test func aRefusedCouponsPageExplainsWeChatsErrcodeAndShowsWhoDidWhat() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        let form = Self.common.merging(["type": "4", "out_coupon_id": "refused", "name": "直减", "product_ids": "sku-9", "reduction_yuan": "3"]) { $1 }
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        try await database.coupons.recordSync(
            outCouponID: "refused",
            attempt: .init(at: 1_795_000_001, endpoint: "/shop/coupon/add", errcode: 1_090_011, failure: "商品券缺少商品", durationMilliseconds: 12.4),
            outcome: .rejected(reason: "WeChat errcode 1090011: 商品券缺少商品"), now: 1_795_000_001)

        let chinese = html(try await send("GET", "/admin/coupons/refused", as: staff, language: "zh-CN"))
        #expect(chinese.contains(#"<span class="state state-rejected" id="sync-state">被微信拒绝</span>"#))
        #expect(chinese.contains("微信错误码 1090011：商品券必须指定商品。"))
        #expect(chinese.contains("<td>12 毫秒</td>") && chinese.contains("/shop/coupon/add"))
        #expect(chinese.contains("<td>li.wei</td><td>创建了优惠券</td>"))
        #expect(chinese.contains("直减3元") && chinese.contains("领取后 7 天内") && chinese.contains("sku-9"))
        #expect(!chinese.contains("/refresh\""), "no WeChat on this worker: no action that needs it")
        #expect(chinese.contains("此服务器未配置微信"))

        let english = html(try await send("GET", "/admin/coupons/refused", query: "done=saved", as: staff, language: "en"))
        #expect(english.contains("WeChat error 1090011: A product coupon must name its products."))
        #expect(english.contains(#"<p class="notice" role="status">The coupon was saved.</p>"#))
        #expect(english.contains("Refused by WeChat") && english.contains("¥3 off"))
        #expect(!english.contains("older-attempts"), "every call is still kept")

        for second in 2...21 {
            try await database.coupons.recordSync(
                outCouponID: "refused", attempt: .init(at: 1_795_000_000 + Double(second), endpoint: "/shop/coupon/get", errcode: nil, failure: "timed out", durationMilliseconds: 3),
                outcome: nil, now: 1_795_000_000 + second)
        }
        let many = html(try await send("GET", "/admin/coupons/refused", as: staff, language: "en"))
        #expect(many.contains(#"<p class="muted" id="older-attempts">The newest 20 of 21 calls; older ones are not kept.</p>"#))
        #expect(many.components(separatedBy: "<td class=\"mono\">/shop/coupon/").count - 1 == 20)
    }
}

extension AdminPagesTests {
    @Test func theListPagesWithItsFilterKept() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        for id in ["first", "second", "third"] {
            let form = Self.common.merging(["type": "104", "out_coupon_id": id, "name": "满减 \(id)", "reduction_yuan": "5"]) { $1 }
            #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        }
        var query = "type=104&q=%E6%BB%A1%E5%87%8F&limit=2"
        var seen: [String] = []
        for _ in 1...3 {
            let page = html(try await send("GET", "/admin/coupons", query: query, as: staff))
            seen += page.matches(of: /data-id="([a-z]+)"/).map { String($0.1) }
            guard let next = page.firstMatch(of: /href="\/admin\/coupons\?([^"]+)" rel="next"/) else { break }
            query = String(next.1).replacingOccurrences(of: "&amp;", with: "&")
            #expect(query.hasPrefix("type=104&q=%E6%BB%A1%E5%87%8F&limit=2&page="))
        }
        #expect(seen == ["third", "second", "first"])
        let last = html(try await send("GET", "/admin/coupons", query: query, as: staff, language: "en"))
        #expect(last.contains(#"<p class="muted" id="list-count">3–3 of 3</p>"#))
        #expect(last.contains(#"href="/admin/coupons?type=104&amp;q=%E6%BB%A1%E5%87%8F&amp;limit=2" rel="prev""#))
    }

    @Test func theListSortsByNameClaimStartOrUpdateAndCountsUpToABound() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        for (id, name, start) in [("a", "乙", "2026-12-03T10:00"), ("b", "甲", "2026-12-01T10:00"), ("c", "丙", "2026-12-02T10:00")] {
            let form = Self.common.merging(["type": "104", "out_coupon_id": id, "name": name, "reduction_yuan": "5", "claim_start": start]) { $1 }
            #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        }
        func order(_ query: String) async throws -> [String] {
            html(try await send("GET", "/admin/coupons", query: query, as: staff)).matches(of: /<tr data-id="([a-z]+)">/).map { String($0.1) }
        }
        #expect(try await order("") == ["c", "b", "a"])
        #expect(try await order("sort=name") == ["c", "a", "b"], "丙 乙 甲 in Unicode order")
        #expect(try await order("sort=claim_start") == ["b", "c", "a"])
        #expect(try database.coupons.requestStatus(.active, outCouponID: "b", by: "test", now: 1_795_000_100) != .refused(.noSuchCoupon))
        #expect(try await order("sort=updated") == ["b", "c", "a"])
        #expect(try await send("GET", "/admin/coupons", query: "sort=price", as: staff).status == 400)
        #expect(try await send("GET", "/admin/coupons", query: "page=0", as: staff).status == 400)
        #expect(html(try await send("GET", "/admin/coupons", query: "sort=name&page=9", as: staff, language: "en")).contains("Nothing on this page; 3 match"))
        #expect(CouponPages.countText(10_001, shown: 50, offset: 50, catalog: Catalog.english) == "51–100 of more than 10000")
        #expect(CouponPages.countText(10_000, shown: 50, offset: 0, catalog: Catalog.english) == "1–50 of 10000")
    }
}
