import Storage
import StrictJSON
import WeChat

/// How the API shows user coupons: as stored here, and as WeChat lists them.
enum UserCouponJSON {
    /// `{"out_user_coupon_id", "openid", "out_coupon_id", "status", "recv_time", "use_time", "sync": {"state", "error"},
    /// "created_by", "created_at", "updated_at"}`
    static func item(_ record: UserCouponRecord) -> [UInt8] {
        var writer = JSONWriter()
        write(record, to: &writer)
        return writer.bytes
    }

    /// `{"total_num": N, "user_coupons": [{WeChat's entry..., "sync": {...}}], "next_offset": N or null}`: `sync` for
    /// the entries stored here.
    static func wechatPage(
        totalNum: Int, entries: [WeChatClient.UserCouponEntry], stored: [UserCouponRecord?], query: UserCouponListQuery
    ) -> [UInt8] {
        var writer = JSONWriter()
        writer.object {
            $0.member("total_num") { $0.integer(totalNum) }
            $0.member("user_coupons") { list in
                list.array {
                    for (entry, record) in zip(entries, stored) {
                        $0.object {
                            $0.member("out_user_coupon_id") { $0.string(entry.outUserCouponID) }
                            $0.member("openid") { $0.string(query.openID) }
                            $0.member("out_coupon_id") { $0.string(entry.outCouponID) }
                            $0.member("status") { $0.integer(entry.status) }
                            if let use = entry.useTime { $0.member("use_time") { $0.integer(use) } }
                            if let record { $0.member("sync") { writeSync(record, to: &$0) } }
                        }
                    }
                }
            }
            let next = query.offset + entries.count
            $0.member("next_offset") { if next < totalNum && !entries.isEmpty { $0.integer(next) } else { $0.null() } }
        }
        return writer.bytes
    }

    private static func write(_ record: UserCouponRecord, to writer: inout JSONWriter) {
        writer.object {
            $0.member("out_user_coupon_id") { $0.string(record.outUserCouponID) }
            $0.member("openid") { $0.string(record.openID) }
            $0.member("out_coupon_id") { $0.string(record.outCouponID) }
            $0.member("status") { $0.integer(record.status) }
            $0.member("recv_time") { $0.integer(record.receiveTime) }
            if let use = record.useTime { $0.member("use_time") { $0.integer(use) } }
            $0.member("sync") { writeSync(record, to: &$0) }
            if let creator = record.createdBy { $0.member("created_by") { $0.string(creator) } }
            $0.member("created_at") { $0.integer(record.createdAt) }
            $0.member("updated_at") { $0.integer(record.updatedAt) }
        }
    }

    private static func writeSync(_ record: UserCouponRecord, to writer: inout JSONWriter) {
        writer.object {
            $0.member("state") { $0.string(record.syncState.rawValue) }
            if let error = record.syncError { $0.member("error") { $0.string(error) } }
        }
    }
}
