import Accounts
import Coupons
import FastCGI
import Logging
import Storage
import StrictJSON
import TestSupport
import Testing
@testable import Web

/// The coupon list as CSV through the API, behind the answer cache as the worker has it.
@Suite struct CouponExportTests {
    let directory: TemporaryDirectory
    let database: AppDatabase
    let key: String
    let router: Router
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    init() throws {
        directory = try TemporaryDirectory("ca-export")
        database = try AppDatabase(path: directory.path("coupons.sqlite"))
        let (key, hash) = APIKey.generate()
        self.key = key
        try database.accounts.addAPIKey(name: "sheet", role: .viewer, keyHash: hash, actor: "test", now: 1)
        let now: @Sendable () -> Int = { 1_795_000_000 }
        let services = WebServices(
            database: database, answerCache: AnswerCache(maximumBytes: 1 << 20, now: now), authenticator: APIKeyAuthenticator(database: database, now: now),
            now: now)
        var router = Router()
        CouponAPI(services: services).addRoutes(to: &router)
        self.router = router
    }

    func store(_ id: String, name: String) throws {
        let coupon = try Coupon.decode(requestBody: try JSONParser.parse(Array(WeChatExample.directReduction(id: id, name: name).utf8)))
        _ = try database.coupons.createCoupon(coupon, createdBy: "erp", now: 1_795_000_000, claimingSync: nil)
    }

    func list(query: String = "", accept: String? = nil) async throws -> Response {
        var headers = HTTPHeaders([("Authorization", "Bearer \(key)"), ("Accept-Language", "zh-CN")])
        if let accept { headers.add(name: "Accept", value: accept) }
        return try await router.respond(to: Request(method: "GET", path: "/api/v1/coupons", query: query, headers: headers, remoteAddress: "192.0.2.9"), logger: logger)
    }

    @Test func theListComesAsCSVForAcceptOrFormatAndNeverFromTheJSONKept() async throws {
        defer { directory.remove() }
        try store("c1", name: "满100减20")
        try store("c2", name: "=HYPERLINK('http://evil','x')")
        #expect(try await list(accept: "text/csv").headers["Content-Type"] == "text/csv; charset=utf-8", "before anything is kept")
        let json = try await list(accept: "application/json")
        #expect(json.headers["Content-Type"] == "application/json" && json.stream == nil)
        #expect(try await list(accept: "application/json").body == json.body, "kept")

        for (query, accept) in [("", "text/csv"), ("format=csv", "application/json"), ("format=csv", nil), ("", "text/html, text/csv;q=0.9")] {
            let csv = try await list(query: query, accept: accept)
            #expect(csv.status == 200 && csv.headers["Content-Type"] == "text/csv; charset=utf-8", "\(query) \(accept ?? "")")
            #expect(csv.headers["Content-Disposition"]?.hasPrefix(#"attachment; filename="coupons-"#) == true && csv.headers["Content-Length"] == nil)
            let bytes = try csv.wholeBody()
            #expect(Array(bytes.prefix(3)) == CSV.byteOrderMark)
            let records = try CSV.records(bytes)
            #expect(records.first == CouponCSV.columns && records.count == 3)
            let rows = records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(CouponCSV.columns, $0)) }
            #expect(rows.map { $0["out_coupon_id"] } == ["c2", "c1"], "newest first, as the list")
            #expect(rows[1]["name"] == "满100减20" && rows[1]["type_words"] == "店铺直减券" && rows[1]["discount_fee"] == "500" && rows[1]["reduction_yuan"] == "5")
            #expect(rows[0]["name"] == "=HYPERLINK('http://evil','x')", "read back as it was")
            #expect(String(decoding: bytes, as: UTF8.self).contains(#"c2,"'=HYPERLINK('http://evil','x')","#), "written as text, not a formula")
            #expect(rows[1]["claim_start"] == "2027-01-15 16:00" && rows[1]["sync_state"] == "pending" && rows[1]["version"] == "1")
        }
        #expect(try await list(accept: "text/csv;q=0").headers["Content-Type"] == "application/json")
        #expect(try await list(query: "format=xml").status == 400)
        let filtered = try CSV.records(try await list(query: "format=csv&q=HYPERLINK").wholeBody())
        #expect(filtered.count == 2 && filtered[1].first == "c2", "the list's filter applies")
    }
}
