import FastCGI
import Foundation
import Testing
@testable import Web

/// The coupon list as a spreadsheet, from the admin pages.
extension AdminPagesTests {
    @Test func theListExportsWhatItsFilterShowsAsCSV() async throws {
        defer { directory.remove() }
        let staff = try await logIn("li.wei")
        for (id, name) in [("c-a", "满100减20"), ("c-b", "Spring sale")] {
            let form = Self.common.merging(["type": "102", "out_coupon_id": id, "name": name, "threshold_yuan": "100", "reduction_yuan": "20"]) { $1 }
            #expect(try await send("POST", "/admin/coupons", form: Self.encoded(form), as: staff).status == 303)
        }
        let list = html(try await send("GET", "/admin/coupons", query: "q=c-a", as: staff, language: "en"))
        let href = try #require(list.firstMatch(of: /id="export" href="([^"]+)"/).map { String($0.1) })
        #expect(href == "/admin/coupons?q=c-a&amp;format=csv")

        let export = try await send("GET", "/admin/coupons", query: "q=c-a&format=csv", as: staff, language: "zh-CN")
        #expect(export.status == 200 && export.headers["Content-Type"] == "text/csv; charset=utf-8")
        let records = try CSV.records(try export.wholeBody())
        #expect(records.count == 2 && records[0] == CouponCSV.columns)
        let row = Dictionary(uniqueKeysWithValues: zip(CouponCSV.columns, records[1]))
        #expect(row["out_coupon_id"] == "c-a" && row["name"] == "满100减20" && row["threshold_yuan"] == "100" && row["product_price"] == "10000")
        #expect(row["offer"]?.isEmpty == false && row["type_words"] == "店铺满减券")
        #expect(try await send("GET", "/admin/coupons", query: "format=csv").status != 200, "staff only")
    }
}
