import Coupons
import GRDB
import StrictJSON

/// One row of the `coupon` table: the coupon as its canonical JSON, the columns lists filter and
/// sort on, what WeChat said of it, and where its sync stands.
public struct CouponRecord: Sendable, Equatable, MutablePersistableRecord {
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
    public var syncState: SyncState
    public var syncError: String?
    /// The status the coupon has here: WeChat's once every change asked for is sent.
    public var status: Int
    /// The stock last set here or read from WeChat, once there is one.
    public var issuedNum: Int?
    public var receiveNum: Int?
    /// Where WeChat's copy differs from this one, as found by an import: field paths, comma separated.
    public var wechatDiffers: String?
    public var createdBy: String?
    /// Every attempt at sending it to WeChat, counted; only the newest are kept (`AppDatabase.syncAttemptsKept`).
    /// The database counts them: a record never writes it.
    public var syncAttemptsTotal = 0
    /// Counts the changes people asked of it (edits, status, stock), from 1: what `ExpectedVersion`
    /// is checked against. WeChat's answers leave it be.
    public var version = 1
    /// Unix seconds.
    public var createdAt: Int
    public var updatedAt: Int

    public init(coupon: Coupon, createdBy: String?, now: Int) {
        outCouponID = coupon.outCouponID
        type = coupon.type.rawValue
        name = coupon.couponInfo.name
        body = String(decoding: coupon.canonicalJSON, as: UTF8.self)
        syncState = .pending
        status = CouponStatus.notActive.rawValue
        self.createdBy = createdBy
        createdAt = now
        updatedAt = now
    }

    init(
        id: Int64?, outCouponID: String, type: Int, name: String, body: String, wechatStatus: Int?, wechatCreateTime: Int?,
        wechatUpdateTime: Int?, syncState: SyncState, syncError: String?, status: Int, issuedNum: Int?, receiveNum: Int?,
        wechatDiffers: String?, createdBy: String?, syncAttemptsTotal: Int, version: Int, createdAt: Int, updatedAt: Int
    ) {
        self.id = id
        self.outCouponID = outCouponID
        self.type = type
        self.name = name
        self.body = body
        self.wechatStatus = wechatStatus
        self.wechatCreateTime = wechatCreateTime
        self.wechatUpdateTime = wechatUpdateTime
        self.syncState = syncState
        self.syncError = syncError
        self.status = status
        self.issuedNum = issuedNum
        self.receiveNum = receiveNum
        self.wechatDiffers = wechatDiffers
        self.createdBy = createdBy
        self.syncAttemptsTotal = syncAttemptsTotal
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["out_coupon_id"] = outCouponID
        container["type"] = type
        container["name"] = name
        container["body"] = body
        container["wechat_status"] = wechatStatus
        container["wechat_create_time"] = wechatCreateTime
        container["wechat_update_time"] = wechatUpdateTime
        container["sync_state"] = syncState
        container["sync_error"] = syncError
        container["status"] = status
        container["issued_num"] = issuedNum
        container["receive_num"] = receiveNum
        container["wechat_differs"] = wechatDiffers
        container["created_by"] = createdBy
        container["version"] = version
        container["created_at"] = createdAt
        container["updated_at"] = updatedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension CouponRecord {
    /// The stored coupon read back from `body`; nil only if the row was changed by hand into something
    /// the API would refuse.
    public var coupon: Coupon? {
        guard let json = try? JSONParser.parse(Array(body.utf8)) else { return nil }
        return try? Coupon.decode(json)
    }
}
