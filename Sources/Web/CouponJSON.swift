import Coupons
import Storage
import StrictJSON

/// How the API shows stored coupons: the coupon object as `/shop/coupon/get` gives it (WeChat's
/// `status`, `create_time` and `update_time` once known), then our own state beside it.
enum CouponJSON {
    /// `{"coupon": {...}, "sync": {"state": ...}, "created_at": ..., "updated_at": ...}`
    static func item(_ record: CouponRecord) -> [UInt8] {
        var writer = JSONWriter()
        write(record, to: &writer)
        return writer.bytes
    }

    /// `{"coupons": [item, ...], "next_cursor": "..." or null}`
    static func page(_ page: AppDatabase.CouponPage) -> [UInt8] {
        var writer = JSONWriter(capacity: 1024 * page.records.count + 64)
        writer.object {
            $0.member("coupons") { list in
                list.array { for record in page.records { write(record, to: &$0) } }
            }
            $0.member("next_cursor") {
                if let row = page.nextBefore { $0.string(CouponListQuery.cursor(forRow: row)) } else { $0.null() }
            }
        }
        return writer.bytes
    }

    private static func write(_ record: CouponRecord, to writer: inout JSONWriter) {
        writer.object {
            $0.member("coupon") {
                $0.object(extending: record.body) { coupon in
                    if let status = record.wechatStatus { coupon.member("status") { $0.integer(status) } }
                    if let time = record.wechatCreateTime { coupon.member("create_time") { $0.integer(time) } }
                    if let time = record.wechatUpdateTime { coupon.member("update_time") { $0.integer(time) } }
                }
            }
            $0.member("sync") { sync in
                sync.object {
                    $0.member("state") { $0.string(record.syncState) }
                    if let error = record.syncError { $0.member("error") { $0.string(error) } }
                }
            }
            $0.member("created_at") { $0.integer(record.createdAt) }
            $0.member("updated_at") { $0.integer(record.updatedAt) }
        }
    }
}
