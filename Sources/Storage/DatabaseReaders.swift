import GRDB

/// Where the stores read: the pool of read-only connections beside the database's file, or, for a
/// database in memory, its one connection.
enum DatabaseReaders: Sendable {
    case pool(ReaderPool)
    case writer(any DatabaseWriter)

    /// Runs `body` in one read transaction.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        switch self {
        case .pool(let pool): try pool.read(body)
        case .writer(let writer): try writer.read(body)
        }
    }

    /// The pool, for a database in a file.
    var pool: ReaderPool? {
        if case .pool(let pool) = self { pool } else { nil }
    }
}
