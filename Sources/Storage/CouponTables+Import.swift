import Coupons
import GRDB
import StrictJSON

/// Bringing one of WeChat's coupons in, for an import (`ImportTable` keeps the import's run).
extension AppDatabase.CouponTables {
    /// Stores or updates one coupon from WeChat's list, in one transaction, entered in the audit log as
    /// `coupon.import` when it is new.
    public func importCoupon(_ wechat: WeChatCoupon, by actor: String, now: Int) throws -> ImportResult {
        let body = String(decoding: wechat.coupon.canonicalJSON, as: UTF8.self)
        return try writer.write { db in
            guard let stored = try Self.coupon(outCouponID: wechat.coupon.outCouponID, in: db), let id = stored.id else {
                var record = CouponRecord(coupon: wechat.coupon, createdBy: actor, now: now)
                record.wechatStatus = wechat.status.rawValue
                record.wechatCreateTime = wechat.createTime
                record.wechatUpdateTime = wechat.updateTime
                record.status = wechat.status.rawValue
                record.issuedNum = wechat.issuedNum
                record.receiveNum = wechat.receiveNum
                record.syncState = .synced
                try record.insert(db)
                try AppDatabase.AuditTable.append(
                    AuditEntry(at: now, actor: actor, action: "coupon.import", targetType: "coupon", target: wechat.coupon.outCouponID,
                               details: #"{"coupon":"# + body + "}"),
                    in: db
                )
                return .created
            }
            let queued = try Int.fetchOne(db, sql: "SELECT count(*) FROM coupon_change WHERE coupon_id = ? AND state != \(ChangeState.sent.sql)", arguments: [id]) ?? 0
            // Fields queued to change, or not sent yet, are expected to differ.
            let differs: [String] = queued > 0 || stored.wechatStatus == nil ? [] : Self.differingPaths(stored.body, body)
            try db.execute(
                sql: """
                    UPDATE coupon SET wechat_status = ?, wechat_create_time = ?, wechat_update_time = ?,
                        issued_num = COALESCE(?, issued_num), receive_num = COALESCE(?, receive_num), wechat_differs = ?,
                        status = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    wechat.status.rawValue, wechat.createTime, wechat.updateTime, wechat.issuedNum, wechat.receiveNum,
                    differs.isEmpty ? nil : differs.joined(separator: ","), try Self.statusFollowing(weChat: wechat.status, couponRow: id, in: db).rawValue,
                    now, id,
                ]
            )
            try Self.settle(couponRow: id, in: db)
            return differs.isEmpty ? .updated : .differs(differs)
        }
    }

    private static func differingPaths(_ stored: String, _ wechat: String) -> [String] {
        guard let mine = try? JSONParser.parse(Array(stored.utf8)), let theirs = try? JSONParser.parse(Array(wechat.utf8)) else { return [""] }
        return mine.differingPaths(from: theirs)
    }
}
