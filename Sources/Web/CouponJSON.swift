import Coupons
import Storage
import StrictJSON

/// How the API shows stored coupons: the coupon object as `/shop/coupon/get` gives it (WeChat's
/// `status`, `create_time` and `update_time` once known), then our own state beside it.
enum CouponJSON {
    /// `{"coupon": {...}, "sync": {"state": ..., "attempts": [...]}, "created_by": ..., "created_at": ..., "updated_at": ...}`;
    /// `attempts` only when given (a list leaves them out).
    static func item(_ record: CouponRecord, attempts: [AppDatabase.SyncAttempt]? = nil) -> [UInt8] {
        var writer = JSONWriter()
        write(record, attempts: attempts, to: &writer)
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
                if let row = page.nextBefore { $0.string(PageCursor.cursor(forRow: row)) } else { $0.null() }
            }
        }
        return writer.bytes
    }

    private static func write(_ record: CouponRecord, attempts: [AppDatabase.SyncAttempt]? = nil, to writer: inout JSONWriter) {
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
                    if let attempts { $0.member("attempts") { list in list.array { for attempt in attempts { write(attempt, to: &$0) } } } }
                }
            }
            if let creator = record.createdBy { $0.member("created_by") { $0.string(creator) } }
            $0.member("created_at") { $0.integer(record.createdAt) }
            $0.member("updated_at") { $0.integer(record.updatedAt) }
        }
    }

    /// `{"at": unix seconds, "endpoint": "/shop/coupon/add", "errcode": 0, "failure": "...", "duration_ms": 12}`
    private static func write(_ attempt: AppDatabase.SyncAttempt, to writer: inout JSONWriter) {
        writer.object {
            $0.member("at") { $0.integer(Int(attempt.at)) }
            $0.member("endpoint") { $0.string(attempt.endpoint) }
            if let errcode = attempt.errcode { $0.member("errcode") { $0.integer(errcode) } }
            if let failure = attempt.failure { $0.member("failure") { $0.string(failure) } }
            $0.member("duration_ms") { $0.integer(Int(attempt.durationMilliseconds.rounded())) }
        }
    }
}
