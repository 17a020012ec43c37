import Foundation
import Synchronization

/// The header of a WAL database's wal-index, at the start of its `-shm` file, mapped read-only.
///
/// Every commit rewrites the header (frame count, change counter, checksums), whichever process makes
/// it, and a checkpoint that restarts the WAL gives it new salts: while the header stays the same, so
/// does the database. Reading it takes no lock and no system call; even an empty read transaction
/// takes both. The layout is the unix VFS's, described at https://sqlite.org/walformat.html: two
/// copies of a 48-byte header, written second copy first, then the first; a reader that finds them
/// equal has read one whole header.
final class WALIndexHeader: @unchecked Sendable {  // the mapping is only read, and unmapped only at deinit
    private static let headerSize = 48
    /// Both copies of the header and the checkpoint information after them.
    private static let mappedSize = 136
    private static let isInitOffset = 12

    private let base: UnsafeRawPointer

    /// Nil when `databasePath` has no `-shm` file holding a header: the database is not in WAL mode,
    /// or no connection has it open. The file stays in place while any connection to the database is
    /// open, so the caller keeps one open for as long as it reads the header.
    init?(databasePath: String) {
        let file = open(databasePath + "-shm", O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var status = stat()
        guard fstat(file, &status) == 0, status.st_size >= Self.mappedSize,
              let mapping = mmap(nil, Self.mappedSize, PROT_READ, MAP_SHARED, file, 0), mapping != MAP_FAILED
        else { return nil }
        base = UnsafeRawPointer(mapping)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), Self.mappedSize)
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
