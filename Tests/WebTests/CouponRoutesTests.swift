import FastCGI
import Foundation
import Logging
import Storage
import TestSupport
import Testing
import Accounts
@testable import Web

/// The coupon API driven through the router with `Request` values, over a real database file.
@Suite struct CouponRoutesTests {
    static let wechatExample = WeChatExample.addBody

    /// A small valid body: a shop direct-reduction coupon.
    static func body(id: String, name: String = "Sale", fee: Int = 500) -> String {
        WeChatExample.directReduction(id: id, name: name, fee: fee)
    }

    let directory: TemporaryDirectory
    let router: Router
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    init() throws {
        directory = try TemporaryDirectory("ca-web")
        let services = WebServices(
            database: try AppDatabase(path: directory.path("coupons.sqlite")), authenticator: FixedPrincipal(principal: Principal(name: "erp", role: .editor)),
            now: { 1_700_000_000 }
        )
        var router = Router()
        CouponAPI(services: services).addRoutes(to: &router)
        OpenAPIDocument(services: services).addRoutes(to: &router)
        self.router = router
    }

    func send(_ method: String, _ path: String, query: String = "", body: String = "", contentType: String? = "application/json", mountPath: String = "") async throws -> (status: Int, headers: HTTPHeaders, json: [String: Any]) {
        var headers = HTTPHeaders()
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        let request = Request(method: method, path: path, mountPath: mountPath, query: query, headers: headers, requestID: "r1", body: Array(body.utf8))
        let response = try await router.respond(to: request, logger: logger)
        let json = response.body.isEmpty ? [:] : try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        return (response.status, response.headers, json)
    }

    func post(_ body: String, contentType: String? = "application/json") async throws -> (status: Int, headers: HTTPHeaders, json: [String: Any]) {
        try await send("POST", "/api/v1/coupons", body: body, contentType: contentType)
    }

    @Test func createThenRetryThenConflict() async throws {
        defer { directory.remove() }
        let created = try await post(Self.wechatExample)
        #expect(created.status == 202)
        #expect(created.headers["Location"] == "/api/v1/coupons/coupon_id_1")
        let coupon = try #require(created.json["coupon"] as? [String: Any])
        #expect(coupon["out_coupon_id"] as? String == "coupon_id_1")
        #expect((coupon["coupon_info"] as? [String: Any])?["name"] as? String == "示例优惠券")
        #expect(coupon["status"] == nil)
        #expect((created.json["sync"] as? [String: Any])?["state"] as? String == "pending")
        #expect(created.json["created_at"] as? Int == 1_700_000_000)
        #expect(created.json["created_by"] as? String == "erp", "the principal that stored it")

        let again = try await post(Self.wechatExample)
        #expect(again.status == 200)
        #expect(NSDictionary(dictionary: again.json).isEqual(to: created.json))
        // The same coupon written differently is the same coupon.
        let reordered = try await post(String(data: try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: Data(Self.wechatExample.utf8)), options: [.prettyPrinted]), encoding: .utf8)!)
        #expect(reordered.status == 200)

        let changed = try await post(Self.wechatExample.replacingOccurrences(of: "\"total_num\":100", with: "\"total_num\":101"))
        #expect(changed.status == 409)
        #expect(changed.json["detail"] as? String == "A coupon with out_coupon_id coupon_id_1 is already stored with a different body; choose another id.")

        let fetched = try await send("GET", "/api/v1/coupons/coupon_id_1")
        #expect(fetched.status == 200)
        #expect(NSDictionary(dictionary: fetched.json).isEqual(to: created.json))
    }

    @Test func locationHonoursTheMountPoint() async throws {
        defer { directory.remove() }
        let request = Request(method: "POST", path: "/api/v1/coupons", mountPath: "/coupon-admin",
                              headers: HTTPHeaders([("Content-Type", "application/json; charset=utf-8")]), body: Array(Self.body(id: "m1").utf8))
        let response = try await router.respond(to: request, logger: logger)
        #expect(response.status == 202)
        #expect(response.headers["Location"] == "/coupon-admin/api/v1/coupons/m1")
    }

    @Test func unknownCouponsAre404() async throws {
        defer { directory.remove() }
        for id in ["nope", "a%2Fb", "%E5%88%B8"] {
            let response = try await send("GET", "/api/v1/coupons/\(id)")
            #expect(response.status == 404)
            #expect(response.json["detail"] as? String == "There is no coupon with this out_coupon_id.")
        }
    }

    @Test func askingWeChatWithoutWeChatConfiguredIs409AndABadRefreshIs400() async throws {
        defer { directory.remove() }
        #expect(try await post(Self.body(id: "c1")).status == 202)
        let refresh = try await send("GET", "/api/v1/coupons/c1", query: "refresh=true")
        #expect(refresh.status == 409)
        #expect((refresh.json["detail"] as? String)?.contains("WeChat is not configured") == true)
        #expect(try await send("POST", "/api/v1/coupons/c1/sync").status == 409)
        #expect(try await send("GET", "/api/v1/coupons/c1", query: "refresh=false").status == 200)
        let bad = try await send("GET", "/api/v1/coupons/c1", query: "refresh=yes")
        #expect(bad.status == 400)
        #expect((bad.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "refresh")
        #expect(try await send("GET", "/api/v1/coupons/c1", query: "fresh=true").status == 400)
        let stored = try await send("GET", "/api/v1/coupons/c1")
        #expect((stored.json["sync"] as? [String: Any])?["attempts"] as? [Any] != nil)
    }

    @Test(arguments: [nil, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/jsonx"])
    func bodiesThatAreNotJSONAre415(contentType: String?) async throws {
        defer { directory.remove() }
        let response = try await post(Self.body(id: "c1"), contentType: contentType)
        #expect(response.status == 415)
        #expect(response.headers["Accept-Post"] == "application/json")
    }

    @Test func jsonThatDoesNotParseIs400WithWhere() async throws {
        defer { directory.remove() }
        let broken = try await post(#"{"coupon": {"out_coupon_id": "c1",}}"#)
        #expect(broken.status == 400)
        #expect(broken.json["detail"] as? String == "The body is not JSON: expected a member name in double quotes at byte 34.")
        let deep = try await post(String(repeating: "[", count: 10_000))
        #expect(deep.status == 400)
        #expect(deep.json["detail"] as? String == "The body is not JSON: nested deeper than 64 levels at byte 64.")
        #expect(try await post("").status == 400)
    }

    @Test func invalidCouponsAre422WithEveryError() async throws {
        defer { directory.remove() }
        let body = Self.body(id: "bad id", name: "", fee: 0)
        let response = try await post(body)
        #expect(response.status == 422)
        #expect(response.json["detail"] as? String == "The coupon is not valid: 3 problems, listed in errors.")
        let errors = try #require(response.json["errors"] as? [[String: String]])
        #expect(errors.map { $0["field"] ?? "" } == ["coupon.out_coupon_id", "coupon.coupon_info.name", "coupon.coupon_info.discount_info.discount_fee"])
        #expect(response.json["request_id"] as? String == "r1")
        // Nothing invalid was stored.
        #expect(ids(try await send("GET", "/api/v1/coupons").json) == [])
        #expect(try await send("GET", "/api/v1/coupons/bad%20id").status == 404)
    }

    @Test func aMegabyteBodyIsHandled() async throws {
        defer { directory.remove() }
        // Valid JSON padded with whitespace to 1 MiB.
        let small = Self.body(id: "big")
        let padded = small.replacingOccurrences(of: "{\"coupon\":", with: "{\"coupon\":" + String(repeating: " ", count: 1_048_576 - small.utf8.count))
        #expect(padded.utf8.count == 1_048_576)
        #expect(try await post(padded).status == 202)
        let hugeName = try await post(Self.body(id: "huge", name: String(repeating: "优", count: 349_000)))
        #expect(hugeName.status == 422)
        #expect((hugeName.json["errors"] as? [[String: String]])?.first?["message"] == "must be at most 32 characters")
    }

    @Test func listsPageNewestFirstWithAnOpaqueCursor() async throws {
        defer { directory.remove() }
        for index in 1...5 { #expect(try await post(Self.body(id: "c\(index)", name: index.isMultiple(of: 2) ? "Even" : "Odd")).status == 202) }
        let first = try await send("GET", "/api/v1/coupons", query: "limit=2")
        #expect(first.status == 200)
        #expect(ids(first.json) == ["c5", "c4"])
        let cursor = try #require(first.json["next_cursor"] as? String)
        let second = try await send("GET", "/api/v1/coupons", query: "limit=2&cursor=\(cursor)")
        #expect(ids(second.json) == ["c3", "c2"])
        let third = try await send("GET", "/api/v1/coupons", query: "limit=2&cursor=\(try #require(second.json["next_cursor"] as? String))")
        #expect(ids(third.json) == ["c1"])
        #expect(third.json["next_cursor"] is NSNull)

        #expect(ids(try await send("GET", "/api/v1/coupons", query: "q=even").json) == ["c4", "c2"])
        #expect(ids(try await send("GET", "/api/v1/coupons", query: "q=c3+").json) == [])
        #expect(ids(try await send("GET", "/api/v1/coupons", query: "type=104&sync_state=pending&limit=200").json).count == 5)
        #expect(ids(try await send("GET", "/api/v1/coupons", query: "type=101").json) == [])
        #expect(ids(try await send("GET", "/api/v1/coupons", query: "status=2").json) == [])
    }

    @Test(arguments: [
        ("limit=0", "limit", "must be a whole number from 1 to 200"),
        ("limit=201", "limit", "must be a whole number from 1 to 200"),
        ("limit=ten", "limit", "must be a whole number from 1 to 200"),
        ("limit=%2B5", "limit", "must be a whole number from 1 to 200"),
        ("limit=", "limit", "must be a whole number from 1 to 200"),
        ("type=+101", "type", "must be one of 1, 2, 3, 4, 5, 6, 101, 102, 103, 104"),
        ("type=7", "type", "must be one of 1, 2, 3, 4, 5, 6, 101, 102, 103, 104"),
        ("status=0", "status", "must be one of 1, 2, 3, 4"),
        ("sync_state=done", "sync_state", "must be one of pending, synced, rejected"),
        ("cursor=abc", "cursor", "is not a next_cursor this server gave out"),
        ("colour=red", "colour", "is not a parameter here; use cursor, failing, format, limit, q, status, sync_state, type, wechat_differs"),
        ("limit=1&limit=2", "limit", "appears more than once"),
        ("q=%ZZ", "q", "is not validly percent-encoded UTF-8"),
    ])
    func badQueriesAre400NamingTheParameter(query: String, field: String, message: String) async throws {
        defer { directory.remove() }
        let response = try await send("GET", "/api/v1/coupons", query: query)
        #expect(response.status == 400)
        let errors = try #require(response.json["errors"] as? [[String: String]])
        #expect(errors == [["field": field, "message": message]])
    }

    @Test func theAPIDocumentIsServed() async throws {
        defer { directory.remove() }
        let response = try await send("GET", "/api/v1/openapi.json")
        #expect(response.status == 200)
        #expect(response.json["openapi"] as? String == "3.1.0")
    }

    func ids(_ json: [String: Any]) -> [String] {
        (json["coupons"] as? [[String: Any]] ?? []).compactMap { ($0["coupon"] as? [String: Any])?["out_coupon_id"] as? String }
    }
}
