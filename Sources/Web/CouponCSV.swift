import Coupons
import FastCGI
import Storage

/// The coupon list as a spreadsheet: one row per coupon, in the columns of `columns`. The coupon's
/// own fields are the new-coupon form's (`CouponForm.fieldNames`: yuan, 折, local times in the shop's
/// time zone), so a file exported here can be edited and imported again; the rest say the type and
/// offer in words, the offer in WeChat's own numbers, and where the coupon stands.
enum CouponCSV {
    static let columns: [String] = [
        "out_coupon_id", "name", "type", "type_words", "offer", "discount_num", "discount_fee", "product_price",
    ] + CouponForm.fieldNames.filter { !["out_coupon_id", "name", "type"].contains($0) } + [
        "wechat_status", "status", "issued_num", "receive_num", "sync_state", "sync_error", "version", "updated_at",
    ]

    /// Coupons read from the database for each piece of an export.
    static let piece = 500

    /// The export of every coupon `filter` lets through, newest first, streamed from one read of the
    /// database a piece at a time: never more than `piece` coupons in memory, however many there are.
    static func export(_ filter: CouponFilter, from database: AppDatabase, words: CouponWords, now: Int) -> Response {
        let stamp = words.clock.localText(now).filter(\.isNumber)
        return download(named: "coupons-\(stamp).csv") { write in
            try database.read { snapshot in
                var before: Int64?
                repeat {
                    let page = try snapshot.coupons(matching: filter, limit: piece, before: before)
                    var bytes: [UInt8] = []
                    for record in page.records { bytes += CSV.line(row(record, words: words)) }
                    guard write(bytes) else { return }
                    before = page.nextBefore
                } while before != nil
            }
        }
    }

    /// A CSV file to save, `fileName`: the byte-order mark and the header row, then what `rows` writes.
    static func download(named fileName: String, rows: Response.BodyStream? = nil) -> Response {
        let headers = HTTPHeaders([
            ("Content-Type", "text/csv; charset=utf-8"), ("Content-Disposition", #"attachment; filename="\#(fileName)""#), ("Cache-Control", "no-store"),
        ])
        return Response(status: 200, headers: headers, body: CSV.byteOrderMark + CSV.line(columns), stream: rows)
    }

    static func row(_ record: CouponRecord, words: CouponWords) -> [String] {
        var values: [String: String] = [:]
        if let coupon = record.coupon {
            values = CouponForm(coupon: coupon, clock: words.clock).values
            for name in CouponForm.timeFieldNames { values[name] = values[name]?.replacingOccurrences(of: "T", with: " ") }
            let discount = coupon.couponInfo.discountInfo
            values["offer"] = words.offer(coupon)
            values["discount_num"] = discount.discountNum.map(String.init)
            values["discount_fee"] = discount.discountFee.map(String.init)
            values["product_price"] = discount.discountCondition?.productPrice.map(String.init)
        }
        values["out_coupon_id"] = record.outCouponID
        values["name"] = record.name
        values["type"] = String(record.type)
        values["type_words"] = words.type(rawValue: record.type)
        values["wechat_status"] = record.wechatStatus.map(String.init)
        values["status"] = String(record.status)
        values["issued_num"] = record.issuedNum.map(String.init)
        values["receive_num"] = record.receiveNum.map(String.init)
        values["sync_state"] = record.syncState.rawValue
        values["sync_error"] = record.syncError
        values["version"] = String(record.version)
        values["updated_at"] = words.time(record.updatedAt)
        return columns.map { values[$0] ?? "" }
    }
}
