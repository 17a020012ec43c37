import ArgumentParser
import Foundation
import Glibc

/// Run by root, a command goes on as the user who owns the database (or, for one not made yet, its
/// folder), before it opens anything: every file SQLite then makes (the database, `-wal`, `-shm`)
/// belongs to the service that uses it, never to root. Where that cannot be done it refuses, with the
/// `sudo -u` line that would work.
enum DatabaseOwner {
    static func become(ownerOf databasePath: String) throws {
        guard geteuid() == 0 else { return }
        let folder = (databasePath as NSString).deletingLastPathComponent
        let owned = FileManager.default.fileExists(atPath: databasePath) ? databasePath : (folder.isEmpty ? "." : folder)
        var info = stat()
        guard stat(owned, &info) == 0, info.st_uid != 0 else { return }  // root's own, or nothing there yet
        guard let account = getpwuid(info.st_uid) else {
            refuse("\(owned) belongs to uid \(info.st_uid), which has no account here", user: "#\(info.st_uid)")
        }
        let name = String(cString: account.pointee.pw_name)
        let group = account.pointee.pw_gid
        guard initgroups(name, group) == 0, setgid(group) == 0, setuid(info.st_uid) == 0 else {
            refuse("cannot become \(name), the owner of \(owned): \(String(cString: strerror(errno)))", user: name)
        }
    }

    private static func refuse(_ reason: String, user: String) -> Never {
        let command = CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        FileHandle.standardError.write(Data("coupon-admin: \(reason); run it as that user: sudo -u \(user) \(command)\n".utf8))
        Foundation.exit(1)
    }
}

/// Paths this command, as the user it now runs as, cannot use: said plainly, before SQLite or Foundation
/// says it less clearly ("unable to open database", "the file doesn't exist").
enum FileAccess {
    /// Nil when `path` can be used with `mode` (`R_OK`, `W_OK`); else why not, naming the user.
    static func problem(_ path: String, _ mode: Int32, what: String) -> String? {
        guard access(path, mode) != 0 else { return nil }
        if errno == ENOENT { return "\(path) does not exist" }  // before getpwuid, which may set errno itself
        let user = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid \(geteuid())"
        return "\(user), as whom this command runs (the database's owner), cannot \(mode == W_OK ? "write" : "read") \(what) \(path)"
    }
}
