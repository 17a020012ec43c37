import GRDB
import GRDBSQLite
import Synchronization

/// The header of a WAL database's wal-index, read through SQLite's own mapping of it.
///
/// Every commit rewrites the header (frame count, change counter, checksums), whichever process makes
/// it, and a checkpoint that restarts the WAL gives it new salts: while the header stays the same, so
/// does the database. Reading it takes no lock and no system call; even an empty read transaction
/// takes both. The layout is the unix VFS's, described at https://sqlite.org/walformat.html: two
/// copies of a 48-byte header, written second copy first, then the first; a reader that finds them
/// equal has read one whole header.
///
/// The header is read where SQLite itself mapped it, asked for through the VFS's `xShmMap` of an open
/// connection, never through a descriptor of our own: on Linux, closing any descriptor of the `-shm`
/// file would drop every POSIX lock the process holds on it, SQLite's included, and the next process
/// to open the database would rebuild the wal-index under this one (SIGBUS).
final class WALIndexHeader: @unchecked Sendable {  // the mapping is only read, and SQLite's for as long as `owner` is open
    private static let headerSize = 48
    /// The size of one wal-index region, in which SQLite maps the file (sqlite3.c, WALINDEX_PGSZ).
    private static let regionSize: Int32 = 32768
    private static let isInitOffset = 12

    private let base: UnsafeRawPointer
    /// The connection whose mapping `base` is: it stays mapped while the connection is open.
    private let owner: DatabasePool

    /// Nil when the database is not in WAL mode, or its VFS has no shared memory to map.
    init?(of owner: DatabasePool) {
        let region: UnsafeRawPointer? = owner.writeWithoutTransaction { db in
            var file: UnsafeMutablePointer<sqlite3_file>?
            guard sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK,
                  let file, let map = file.pointee.pMethods?.pointee.xShmMap
            else { return nil }
            var region: UnsafeMutableRawPointer?
            // bExtend 0: the region SQLite already has, never a new one.
            guard map(file, 0, Self.regionSize, 0, &region) == SQLITE_OK, let region else { return nil }
            return UnsafeRawPointer(region)
        }
        guard let region else { return nil }
        base = region
        self.owner = owner
    }

    /// The header as it stands; nil while a commit is rewriting it, or before it was first written.
    func current() -> AppDatabase.ChangeStamp? {
        let first = copy(at: 0)
        atomicMemoryFence(ordering: .acquiring)
        let second = copy(at: Self.headerSize)
        guard first == second, base.load(fromByteOffset: Self.isInitOffset, as: UInt8.self) != 0 else { return nil }
        return first
    }

    private func copy(at offset: Int) -> AppDatabase.ChangeStamp {
        let word = { (index: Int) in self.base.load(fromByteOffset: offset + 8 * index, as: UInt64.self) }
        return AppDatabase.ChangeStamp(header: (word(0), word(1), word(2), word(3), word(4), word(5)))
    }
}

extension AppDatabase {
    /// The database as of a moment: two equal stamps mean that nothing was committed in between, by any
    /// process. Stamps are not ordered; a different one means only that something changed.
    public struct ChangeStamp: Equatable, Sendable {
        fileprivate let header: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

        public static func == (a: Self, b: Self) -> Bool {
            a.header.0 == b.header.0 && a.header.1 == b.header.1 && a.header.2 == b.header.2
                && a.header.3 == b.header.3 && a.header.4 == b.header.4 && a.header.5 == b.header.5
        }
    }

    /// The database's stamp now; nil while a commit is under way, or when it cannot be read (then
    /// nothing can be known unchanged). A read that begins after this call sees the database as of
    /// this stamp or later.
    public func changeStamp() -> ChangeStamp? {
        walIndex?.current()
    }
}
