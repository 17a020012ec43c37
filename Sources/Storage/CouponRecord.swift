import Coupons
import GRDB

/// One row of the `coupon` table: the coupon as its canonical JSON, the columns lists filter and
/// sort on, what WeChat said of it, and where its sync stands.
public struct CouponRecord: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "coupon"

    /// Grows with every insert: newest first is `id DESC`.
    public var id: Int64?
    public var outCouponID: String
    public var type: Int
    public var name: String
    /// The coupon object as canonical JSON (`Coupon.canonicalJSON`).
    public var body: String
    public var wechatStatus: Int?
    public var wechatCreateTime: Int?
    public var wechatUpdateTime: Int?
    public var syncState: String
    public var syncError: String?
    public var createdBy: String?
    /// Unix seconds.
    public var createdAt: Int
    public var updatedAt: Int

    public init(coupon: Coupon, createdBy: String?, now: Int) {
        outCouponID = coupon.outCouponID
        type = coupon.type.rawValue
        name = coupon.couponInfo.name
        body = String(decoding: coupon.canonicalJSON, as: UTF8.self)
        syncState = SyncState.pending.rawValue
        self.createdBy = createdBy
        createdAt = now
        updatedAt = now
    }

    enum CodingKeys: String, CodingKey {
        case id, outCouponID = "out_coupon_id", type, name, body
        case wechatStatus = "wechat_status", wechatCreateTime = "wechat_create_time", wechatUpdateTime = "wechat_update_time"
        case syncState = "sync_state", syncError = "sync_error", createdBy = "created_by"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
