import GRDB
import GRDBSQLite

/// The current row of a stepping statement, its columns read by position with SQLite's own column
/// functions, in the order of the statement's select list.
struct Columns {
    let row: SQLiteStatement

    func integer(_ index: Int32) -> Int { Int(sqlite3_column_int64(row, index)) }
    func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(row, index) }
    func double(_ index: Int32) -> Double { sqlite3_column_double(row, index) }
    func text(_ index: Int32) -> String {
        guard let bytes = sqlite3_column_text(row, index) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(row, index))), as: UTF8.self)
    }
    func optionalInteger(_ index: Int32) -> Int? { isNull(index) ? nil : integer(index) }
    func optionalInt64(_ index: Int32) -> Int64? { isNull(index) ? nil : int64(index) }
    func optionalText(_ index: Int32) -> String? { isNull(index) ? nil : text(index) }
    private func isNull(_ index: Int32) -> Bool { sqlite3_column_type(row, index) == SQLITE_NULL }
}

/// A select list as an enum: a case's raw value is its column's position, so the list a statement
/// selects (`sql`) and the reading of its rows cannot fall out of step.
protocol SelectList: CaseIterable, RawRepresentable<Int32> {
    /// The column's expression in the select list.
    var name: String { get }
}

extension SelectList {
    static var sql: String { allCases.map(\.name).joined(separator: ", ") }
}

extension Columns {
    func integer(_ column: some SelectList) -> Int { integer(column.rawValue) }
    func int64(_ column: some SelectList) -> Int64 { int64(column.rawValue) }
    func text(_ column: some SelectList) -> String { text(column.rawValue) }
    func optionalInteger(_ column: some SelectList) -> Int? { optionalInteger(column.rawValue) }
    func optionalInt64(_ column: some SelectList) -> Int64? { optionalInt64(column.rawValue) }
    func optionalText(_ column: some SelectList) -> String? { optionalText(column.rawValue) }
}

extension Statement {
    /// Every row of the statement run with `arguments`, each made by `make` from its columns.
    ///
    /// GRDB's `Row.fetchAll` sets up a cursor and a row with a dictionary of column names for every
    /// query, and a column read by name searches them: for the one-row lookups every request makes,
    /// that cost more than SQLite's own work (measured with callgrind: about 25,000 instructions a
    /// query). The statement, its arguments and errors stay GRDB's.
    func rows<T>(arguments: StatementArguments = StatementArguments(), _ make: (Columns) -> T) throws -> [T] {
        try setArguments(arguments)
        let sqlite = sqliteStatement
        defer { sqlite3_reset(sqlite) }
        var rows: [T] = []
        while true {
            switch sqlite3_step(sqlite) {
            case SQLITE_ROW:
                rows.append(make(Columns(row: sqlite)))
            case SQLITE_DONE:
                return rows
            case let code:
                let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(sqlite)))
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
            }
        }
    }

    /// The first row, if any, as `rows(arguments:_:)` makes it.
    func row<T>(arguments: StatementArguments = StatementArguments(), _ make: (Columns) -> T) throws -> T? {
        try rows(arguments: arguments, make).first
    }
}
