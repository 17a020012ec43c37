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
        try database.addUser(name: "li.wei", role: .editor, passwordHash: hash, actor: "test", now: 1)
        try database.addUser(name: "wang.fang", role: .viewer, passwordHash: hash, actor: "test", now: 1)
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

        let coupon = try #require(try database.coupon(outCouponID: "form-\(type.rawValue)")?.coupon)
        #expect(coupon.type == type)
        #expect(coupon.couponInfo.discountInfo == expected)
        // Shanghai is UTC+8: 2026-12-01 10:00 there is 02:00 UTC.
        #expect(coupon.couponInfo.receiveInfo == .init(startTime: 1_796_090_400, endTime: 1_798_725_600, limitNumOnePerson: 2, totalNum: 500))
        #expect(coupon.couponInfo.validInfo == .init(validType: .days, validDayNum: 7))
        #expect(try database.history(ofCoupon: coupon.outCouponID).first?.actor == "li.wei")
    }
}
