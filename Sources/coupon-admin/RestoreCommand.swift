import App
import ArgumentParser
import Foundation
import Glibc
import Storage

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a copy made by backup in the database's place, keeping the file it replaces; the service must be stopped.",
        discussion: """
            The copy is checked first (integrity_check, and a schema this version knows). The database it \
            replaces, with its -wal file if there is one, is kept beside it as NAME.replaced-TIME. A copy from an \
            older version is migrated when the service next starts (or by migrate).
            """
    )

    @Argument(help: "A copy made by coupon-admin backup")
    var source: String

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let configuration = try database.loadConfiguration()
        let path = configuration.databasePath
        try DatabaseOwner.become(ownerOf: path)
        if let holder = DatabaseInUse.holder(of: path) {
            warn("\(path) is open in process \(holder) (the service?): stop it first (systemctl stop coupon-admin.socket coupon-admin.service)")
            throw ExitCode.failure
        }
        let folder = (path as NSString).deletingLastPathComponent
        if let problem = FileAccess.problem(source, R_OK, what: "the copy") ?? FileAccess.problem(folder.isEmpty ? "." : folder, W_OK, what: "the database's folder") {
            warn("\(source) cannot be restored: \(problem)")
            throw ExitCode.failure
        }
        let copied: Int
        do {
            copied = try AppDatabase.checkCopy(at: URL(fileURLWithPath: source).path)
        } catch {
            warn("\(source) cannot be restored: \(error)")
            throw error is AppDatabase.NewerSchema ? ExitCode(exitConfigurationError) : ExitCode.failure
        }
        let kept = AppDatabase.nameBeside(path, "replaced")
        do {
            let files = FileManager.default
            for suffix in ["", "-wal", "-shm"] where files.fileExists(atPath: path + suffix) {
                try files.moveItem(atPath: path + suffix, toPath: kept + suffix)
            }
            try files.copyItem(atPath: source, toPath: path)
        } catch {
            warn("the restore stopped half way: \(error); the database that was in place is at \(kept)")
            throw ExitCode.failure
        }
        print("\(path): restored from \(source) (\(copied) coupons); the database it replaced is kept at \(kept)")
    }
}

/// Whether another process has a database open, asked the way SQLite itself asks: who holds a lock on
/// its `-shm` file's dead-man-switch byte (the unix VFS's offset 128), with `F_GETLK`, which takes none.
/// Only for a process that has no SQLite connection of its own to the database: closing the descriptor
/// opened here drops every lock this process holds on the file.
enum DatabaseInUse {
    /// The pid of a process holding the database open, or nil.
    static func holder(of databasePath: String) -> pid_t? {
        let file = open(databasePath + "-shm", O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return nil }  // no -shm: no connection in WAL mode is open
        defer { close(file) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 128
        lock.l_len = 1
        guard fcntl(file, F_GETLK, &lock) == 0, lock.l_type != Int16(F_UNLCK) else { return nil }
        return lock.l_pid
    }
}
