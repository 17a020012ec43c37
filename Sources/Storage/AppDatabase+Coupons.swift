import Coupons
import GRDB

extension AppDatabase {
    /// What storing a coupon came to.
    public enum CreateOutcome: Sendable, Equatable {
        case created(CouponRecord)
        /// The same id with the same body was stored before: a retry.
        case alreadyStored(CouponRecord)
        /// The same id was stored before with another body; the stored one is unchanged.
        case conflict(CouponRecord)
    }

    /// Stores a new coupon, pending sync, unless its `out_coupon_id` is taken.
    public func createCoupon(_ coupon: Coupon, createdBy: String? = nil, now: Int) throws -> CreateOutcome {
        var record = CouponRecord(coupon: coupon, createdBy: createdBy, now: now)
        return try writer.write { db in
            if let stored = try CouponRecord.filter(Column("out_coupon_id") == coupon.outCouponID).fetchOne(db) {
                return stored.body == record.body ? .alreadyStored(stored) : .conflict(stored)
            }
            try record.insert(db)
            return .created(record)
        }
    }

    public func coupon(outCouponID: String) throws -> CouponRecord? {
        try writer.read { db in try CouponRecord.filter(Column("out_coupon_id") == outCouponID).fetchOne(db) }
    }

    /// Which coupons a list asks for, newest first.
    public struct CouponFilter: Sendable, Equatable {
        public var type: CouponType?
        public var status: CouponStatus?
        public var syncState: SyncState?
        /// Part of the id or of the name.
        public var text: String?

        public init(type: CouponType? = nil, status: CouponStatus? = nil, syncState: SyncState? = nil, text: String? = nil) {
            self.type = type
            self.status = status
            self.syncState = syncState
            self.text = text
        }
    }

    public struct CouponPage: Sendable, Equatable {
        public var records: [CouponRecord]
        /// Pass as `before` for the next page; nil on the last page.
        public var nextBefore: Int64?
    }

    /// Up to `limit` coupons older than row `before`, newest first. Paging by row id keeps pages
    /// stable while coupons are added: a new coupon lands before the first page, never inside a later one.
    public func coupons(matching filter: CouponFilter, limit: Int, before: Int64? = nil) throws -> CouponPage {
        try writer.read { db in
            var request = CouponRecord.all()
            if let type = filter.type { request = request.filter(Column("type") == type.rawValue) }
            if let status = filter.status { request = request.filter(Column("wechat_status") == status.rawValue) }
            if let state = filter.syncState { request = request.filter(Column("sync_state") == state.rawValue) }
            if let text = filter.text, !text.isEmpty {
                let pattern = "%" + Self.escapingLike(text) + "%"
                request = request.filter(sql: #"(out_coupon_id LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\')"#, arguments: [pattern, pattern])
            }
            if let before { request = request.filter(Column("id") < before) }
            let rows = try request.order(Column("id").desc).limit(limit + 1).fetchAll(db)
            let page = Array(rows.prefix(limit))
            return CouponPage(records: page, nextBefore: rows.count > limit ? page.last?.id : nil)
        }
    }

    static func escapingLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
