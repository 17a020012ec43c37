import Coupons
import GRDB

extension CouponRecord {
    /// The select list of a coupon row.
    enum Column: Int32, SelectList {
        case id, outCouponID, type, name, body, wechatStatus, wechatCreateTime, wechatUpdateTime, syncState, syncError, createdBy, createdAt
        case updatedAt, status, issuedNum, receiveNum, wechatDiffers, syncAttemptsTotal, version

        var name: String {
            switch self {
            case .id: "id"
            case .outCouponID: "out_coupon_id"
            case .type: "type"
            case .name: "name"
            case .body: "body"
            case .wechatStatus: "wechat_status"
            case .wechatCreateTime: "wechat_create_time"
            case .wechatUpdateTime: "wechat_update_time"
            case .syncState: "sync_state"
            case .syncError: "sync_error"
            case .createdBy: "created_by"
            case .createdAt: "created_at"
            case .updatedAt: "updated_at"
            case .status: "status"
            case .issuedNum: "issued_num"
            case .receiveNum: "receive_num"
            case .wechatDiffers: "wechat_differs"
            case .syncAttemptsTotal: "sync_attempts_total"
            case .version: "version"
            }
        }
    }

    /// The select list that `readAll(_:arguments:)` reads.
    static let columns = Column.sql

    /// The rows of a `SELECT \(columns) ...` statement.
    static func readAll(_ statement: Statement, arguments: StatementArguments) throws -> [CouponRecord] {
        try statement.rows(arguments: arguments, CouponRecord.init(columns:))
    }

    static func readOne(_ statement: Statement, arguments: StatementArguments) throws -> CouponRecord? {
        try statement.row(arguments: arguments, CouponRecord.init(columns:))
    }

    init(columns row: Columns) {
        typealias C = Column
        self.init(
            id: row.int64(C.id), outCouponID: row.text(C.outCouponID), type: row.integer(C.type), name: row.text(C.name),
            body: row.text(C.body), wechatStatus: row.optionalInteger(C.wechatStatus),
            wechatCreateTime: row.optionalInteger(C.wechatCreateTime), wechatUpdateTime: row.optionalInteger(C.wechatUpdateTime),
            syncState: SyncState(rawValue: row.text(C.syncState)) ?? .pending, syncError: row.optionalText(C.syncError),
            status: row.integer(C.status), issuedNum: row.optionalInteger(C.issuedNum), receiveNum: row.optionalInteger(C.receiveNum),
            wechatDiffers: row.optionalText(C.wechatDiffers), createdBy: row.optionalText(C.createdBy),
            syncAttemptsTotal: row.integer(C.syncAttemptsTotal), version: row.integer(C.version), createdAt: row.integer(C.createdAt),
            updatedAt: row.integer(C.updatedAt)
        )
    }
}
