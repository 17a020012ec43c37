import GRDB
import GRDBSQLite

extension CouponRecord {
    /// The rows of a `SELECT \(columns) ...` statement, read with SQLite's own column functions.
    ///
    /// GRDB's record fetching sets up a cursor and a row with a dictionary of column names for every
    /// query, which cost more than SQLite's own work for the one-row lookups every coupon page makes
    /// (measured with callgrind: about 25,000 instructions a query). Statement, arguments and errors stay GRDB's.
    static func readAll(_ statement: Statement, arguments: StatementArguments) throws -> [CouponRecord] {
        try statement.setArguments(arguments)
        let sqlite = statement.sqliteStatement
        defer { sqlite3_reset(sqlite) }  // ends the read at once, so checkpoints are not held up
        var records: [CouponRecord] = []
        while true {
            switch sqlite3_step(sqlite) {
            case SQLITE_ROW:
                records.append(CouponRecord(columnsOf: sqlite))
            case SQLITE_DONE:
                return records
            case let code:
                let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(sqlite)))
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
            }
        }
    }

    static func readOne(_ statement: Statement, arguments: StatementArguments) throws -> CouponRecord? {
        try readAll(statement, arguments: arguments).first
    }

    /// The current row, its columns in the order of `columns`.
    private init(columnsOf row: SQLiteStatement) {
        func text(_ index: Int32) -> String {
            guard let bytes = sqlite3_column_text(row, index) else { return "" }
            return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(row, index))), as: UTF8.self)
        }
        func optionalText(_ index: Int32) -> String? {
            sqlite3_column_type(row, index) == SQLITE_NULL ? nil : text(index)
        }
        func integer(_ index: Int32) -> Int { Int(sqlite3_column_int64(row, index)) }
        func optionalInteger(_ index: Int32) -> Int? {
            sqlite3_column_type(row, index) == SQLITE_NULL ? nil : integer(index)
        }
        self.init(
            id: sqlite3_column_int64(row, 0), outCouponID: text(1), type: integer(2), name: text(3), body: text(4),
            wechatStatus: optionalInteger(5), wechatCreateTime: optionalInteger(6), wechatUpdateTime: optionalInteger(7),
            syncState: text(8), syncError: optionalText(9), status: integer(13), issuedNum: optionalInteger(14),
            receiveNum: optionalInteger(15), wechatDiffers: optionalText(16), createdBy: optionalText(10),
            createdAt: integer(11), updatedAt: integer(12)
        )
    }
}
