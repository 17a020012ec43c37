import Coupons
import Storage
import StrictJSON

/// How the API shows stored coupons: the coupon object as `/shop/coupon/get` gives it (WeChat's
/// `status`, `create_time` and `update_time` once known), then our own state beside it.
enum CouponJSON {
    /// `{"coupon": {...}, "status": 2, "stock": {...}, "sync": {"state": ..., "attempts": [...], "changes": [...]},
    /// "wechat_differs": [...], "created_by": ..., "created_at": ..., "updated_at": ...}`; `attempts` and `changes` (those
    /// still to send or refused) only when given: a list leaves them out.
    static func item(_ record: CouponRecord, attempts: [SyncAttempt]? = nil, changes: [CouponChange]? = nil) -> [UInt8] {
        var writer = JSONWriter()
        write(record, attempts: attempts, changes: changes, to: &writer)
        return writer.bytes
    }

    /// `{"coupons": [item, ...], "next_cursor": "..." or null}`
    static func page(_ page: CouponListPage) -> [UInt8] {
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

    private static func write(
        _ record: CouponRecord, attempts: [SyncAttempt]? = nil, changes: [CouponChange]? = nil, to writer: inout JSONWriter
    ) {
        writer.object {
            $0.member("coupon") {
                $0.object(extending: record.body) { coupon in
                    if let status = record.wechatStatus { coupon.member("status") { $0.integer(status) } }
                    if let time = record.wechatCreateTime { coupon.member("create_time") { $0.integer(time) } }
                    if let time = record.wechatUpdateTime { coupon.member("update_time") { $0.integer(time) } }
                }
            }
            $0.member("status") { $0.integer(record.status) }
            if let issued = record.issuedNum, let received = record.receiveNum {
                $0.member("stock") { stock in
                    stock.object {
                        $0.member("issued_num") { $0.integer(issued) }
                        $0.member("receive_num") { $0.integer(received) }
                    }
                }
            }
            $0.member("sync") { sync in
                sync.object {
                    $0.member("state") { $0.string(record.syncState.rawValue) }
                    if let error = record.syncError { $0.member("error") { $0.string(error) } }
                    if let attempts {
                        $0.member("attempts") { list in list.array { for attempt in attempts { write(attempt, to: &$0) } } }
                        $0.member("attempts_total") { $0.integer(record.syncAttemptsTotal) }
                    }
                    if let changes { $0.member("changes") { list in list.array { for change in changes { write(change, to: &$0) } } } }
                }
            }
            if let differs = record.wechatDiffers {
                $0.member("wechat_differs") { list in
                    list.array { for path in differs.split(separator: ",") { $0.string(String(path)) } }
                }
            }
            $0.member("version") { $0.integer(record.version) }
            if let creator = record.createdBy { $0.member("created_by") { $0.string(creator) } }
            $0.member("created_at") { $0.integer(record.createdAt) }
            $0.member("updated_at") { $0.integer(record.updatedAt) }
        }
    }

    /// `{"endpoint": "/shop/coupon/update_status", "status": 2, "state": "sent", "requested_by": ..., "requested_at": ..., "sent_at": ...}`,
    /// with the change's own numbers and the last failure where there are any.
    private static func write(_ change: CouponChange, to writer: inout JSONWriter) {
        writer.object {
            $0.member("endpoint") { $0.string("/shop/coupon/" + change.kind.rawValue) }
            for (name, value) in [("status", change.status), ("issued_num", change.issuedNum), ("receive_num", change.receiveNum), ("use_time", change.useTime)] {
                if let value { $0.member(name) { $0.integer(value) } }
            }
            $0.member("state") { $0.string(change.state.rawValue) }
            if let errcode = change.errcode, errcode != 0 { $0.member("errcode") { $0.integer(errcode) } }
            if let error = change.error { $0.member("error") { $0.string(error) } }
            $0.member("requested_by") { $0.string(change.requestedBy) }
            $0.member("requested_at") { $0.integer(change.requestedAt) }
            if let sent = change.sentAt { $0.member("sent_at") { $0.integer(sent) } }
        }
    }

    /// `{"at": unix seconds, "endpoint": "/shop/coupon/add", "errcode": 0, "failure": "...", "duration_ms": 12}`
    private static func write(_ attempt: SyncAttempt, to writer: inout JSONWriter) {
        writer.object {
            $0.member("at") { $0.integer(Int(attempt.at)) }
            $0.member("endpoint") { $0.string(attempt.endpoint) }
            if let errcode = attempt.errcode { $0.member("errcode") { $0.integer(errcode) } }
            if let failure = attempt.failure { $0.member("failure") { $0.string(failure) } }
            $0.member("duration_ms") { $0.integer(Int(attempt.durationMilliseconds.rounded())) }
        }
    }
}
