import FastCGI
import Foundation
@testable import Storage
import Testing
@testable import Web

/// New coupons from a spreadsheet on the admin pages: checked row by row before anything is stored,
/// then stored as one batch that its page follows.
extension AdminPagesTests {
    func upload(_ csv: [UInt8], as staff: Staff, fileName: String = "coupons.csv", token: Bool = true) async throws -> Response {
        let boundary = "----CouponAdminBoundary7MA4YWxk"
        var body: [UInt8] = []
        if token { body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\(staff.csrf)\r\n".utf8) }
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        body += csv + Array("\r\n--\(boundary)--\r\n".utf8)
        let headers = HTTPHeaders([
            ("Content-Type", "multipart/form-data; boundary=\(boundary)"), ("Cookie", staff.cookie), ("Accept-Language", "en"),
        ])
        return try await router.respond(to: Request(method: "POST", path: "/admin/uploads", headers: headers, body: body), logger: logger)
    }

    func storeByForm(_ id: String, name: String, as staff: Staff) async throws {
        let form = Self.common.merging(["type": "102", "out_coupon_id": id, "name": name, "product_ids": "p-1\np-2", "threshold_yuan": "100", "reduction_yuan": "20"]) { $1 }
        #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
    }

    func export(as staff: Staff) async throws -> [UInt8] {
        try await send("GET", "/admin/coupons", query: "format=csv", as: staff, language: "zh-CN").wholeBody()
    }

    @Test func anExportUploadsBackWithNoChangeAndUnderNewIdsAsTheSameCoupons() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        try await storeByForm("c-1", name: "春季满100减20", as: staff)
        try await storeByForm("c-2", name: "=\"危险\",公式", as: staff)
        let before = try database.coupons.coupons(matching: CouponFilter(), limit: 10, before: nil).records
        let exported = try await export(as: staff)

        let again = try await upload(exported, as: staff, fileName: "导出.csv")
        #expect(again.status == 303)
        let location = try #require(again.headers["Location"])
        #expect(try database.coupons.coupons(matching: CouponFilter(), limit: 10, before: nil).records == before, "nothing changed at all")
        let page = html(try await send("GET", location, as: staff, language: "en"))
        #expect(page.contains("Upload: 导出.csv") && page.contains(#"id="upload-rows">2<"#))
        #expect(page.contains(#"id="upload-created">0<"#) && page.contains(#"id="upload-unchanged">2<"#))

        // The same rows under new ids are new coupons with the same bodies.
        let renamed = Array(String(decoding: exported, as: UTF8.self).replacingOccurrences(of: "\nc-", with: "\nn-").utf8)
        let stored = try await upload(renamed, as: staff)
        #expect(stored.status == 303)
        let progress = html(try await send("GET", try #require(stored.headers["Location"]), as: staff, language: "en"))
        #expect(progress.contains(#"id="upload-created">2<"#) && progress.contains(#"id="upload-pending">2<"#))
        for id in ["1", "2"] {
            let original = try #require(try database.coupons.coupon(outCouponID: "c-\(id)")?.body)
            #expect(try database.coupons.coupon(outCouponID: "n-\(id)")?.body == original.replacingOccurrences(of: "\"c-\(id)\"", with: "\"n-\(id)\""))
        }
        #expect(try database.coupons.coupon(outCouponID: "n-2")?.name == "=\"危险\",公式")
        #expect(try database.audit.auditEntries(limit: 1).entries.first.map { "\($0.actor) \($0.action)" } == "li.wei coupon.upload")
    }

    @Test func aFileWithBadRowsShowsEveryProblemAndStoresNothing() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        try await storeByForm("taken", name: "已有", as: staff)
        let header = "out_coupon_id,name,finder_nickname,type,product_ids,threshold_yuan,reduction_yuan,claim_start,claim_end,per_person,total,valid_type,valid_days"
        let rows = [
            "ok-1,好的,live,102,p-1,100,20,2026-12-01 10:00,2026-12-31 22:00,1,100,2,7",
            "bad-1,减太多,live,102,p-1,100,120,2026-12-01 10:00,2026-12-31 22:00,1,100,2,7",
            "bad-2,,live,102,p-1,100,20,yesterday,2026-12-31 22:00,1,100,2,7",
            "ok-1,重复,live,102,p-1,100,20,2026-12-01 10:00,2026-12-31 22:00,1,100,2,7",
        ]
        let response = try await upload(Array(([header] + rows).joined(separator: "\r\n").utf8), as: staff)
        #expect(response.status == 422)
        let page = html(response)
        #expect(page.contains("coupons.csv: 4 problem(s); nothing was stored."))
        let problems = page.matches(of: /<tr><td data-label="Row">(\d+)<\/td><td data-label="Column" class="mono">([a-z_]*)<\/td>/).map { "\($0.1) \($0.2)" }
        #expect(problems == ["3 reduction_yuan", "4 name", "4 claim_start", "5 out_coupon_id"])
        #expect(try database.coupons.coupons(matching: CouponFilter(), limit: 10, before: nil).records.map(\.outCouponID) == ["taken"])

        let clash = try await upload(Array(([header, rows[0], rows[0].replacingOccurrences(of: "ok-1,好的", with: "taken,不同")]).joined(separator: "\n").utf8), as: staff)
        #expect(clash.status == 409 && html(clash).contains("A coupon with this id is stored already, with other values"))
        #expect(try database.coupons.coupon(outCouponID: "ok-1") == nil, "all or nothing")

        let unknown = try await upload(Array("out_coupon_id,type,name,colour\n".utf8), as: staff)
        #expect(unknown.status == 422 && html(unknown).contains("Column D has a name that is not one of ours"))
        #expect(try await upload(Array("a,\"b\n".utf8), as: staff).status == 422)
        #expect(try await upload(Array(header.utf8), as: staff, token: false).status == 403, "the form needs its token")
    }

    @Test func theTemplateIsTheExportsHeader() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        let template = try await send("GET", "/admin/uploads/template", as: staff)
        #expect(template.status == 200 && template.headers["Content-Type"] == "text/csv; charset=utf-8")
        #expect(try CSV.records(template.body) == [CouponCSV.columns])
        let form = html(try await send("GET", "/admin/uploads", as: staff, language: "en"))
        #expect(form.contains(#"enctype="multipart/form-data""#) && form.contains(#"href="/admin/uploads/template""#))
        let viewer = try await logIn("wang.fang")
        #expect(try await upload(Array("x".utf8), as: viewer).status == 403)
    }
}
