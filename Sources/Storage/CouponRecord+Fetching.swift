import GRDB

extension CouponRecord {
    /// The rows of a `SELECT \(columns) ...` statement.
    static func readAll(_ statement: Statement, arguments: StatementArguments) throws -> [CouponRecord] {
        try statement.rows(arguments: arguments, CouponRecord.init(columns:))
    }

    static func readOne(_ statement: Statement, arguments: StatementArguments) throws -> CouponRecord? {
        try statement.row(arguments: arguments, CouponRecord.init(columns:))
    }

    /// A row of `columns`, in their order.
    private init(columns row: Columns) {
        self.init(
            id: row.int64(0), outCouponID: row.text(1), type: row.integer(2), name: row.text(3), body: row.text(4),
            wechatStatus: row.optionalInteger(5), wechatCreateTime: row.optionalInteger(6), wechatUpdateTime: row.optionalInteger(7),
            syncState: row.text(8), syncError: row.optionalText(9), status: row.integer(13), issuedNum: row.optionalInteger(14),
            receiveNum: row.optionalInteger(15), wechatDiffers: row.optionalText(16), createdBy: row.optionalText(10),
            syncAttemptsTotal: row.integer(17), createdAt: row.integer(11), updatedAt: row.integer(12)
        )
    }
}
