import Foundation
import GRDB

extension AppDatabase {
    /// What `check` found.
    public struct Check: Sendable {
        /// SQLite's `integrity_check`: `["ok"]`, or what it found wrong.
        public let integrity: [String]
        /// Rows whose foreign key names a row that is not there (`foreign_key_check`).
        public let foreignKeyViolations: Int
        public let appliedMigrations: Int
        public let knownMigrations: Int

        public var isHealthy: Bool {
            integrity == ["ok"] && foreignKeyViolations == 0 && appliedMigrations == knownMigrations
        }
    }

    /// SQLite's own checks of the whole file, and the schema against this version's migrations.
    public func check() throws -> Check {
        try writer.read { db in
            Check(
                integrity: try String.fetchAll(db, sql: "PRAGMA integrity_check"),
                foreignKeyViolations: try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count,
                appliedMigrations: try Self.migrator.appliedIdentifiers(db).count,
                knownMigrations: Self.migrationNames.count
            )
        }
    }

    /// A copy of the database as of one moment, at `destination` (which must not exist yet), made while
    /// the worker goes on, and checked before it is reported made: one that fails `integrity_check` is
    /// removed, and that throws. Returns the coupons the copy holds.
    @discardableResult
    public func backUp(to destination: String) throws -> Int {
        try Self.copy(writer.path, to: destination)
        do {
            return try Self.checkCopy(at: destination)
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw error
        }
    }

    /// A backup into `folder` (made if missing) named after the database and the time,
    /// `coupon-admin-20261207T175800Z.sqlite`; then all but the newest `kept` such copies there are
    /// removed. Returns the copy's path, the coupons it holds, and the copies removed.
    public func backUp(into folder: String, keeping kept: Int) throws -> (path: String, coupons: Int, removed: [String]) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        let name = ((writer.path as NSString).lastPathComponent as NSString).deletingPathExtension + "-"
        let destination = folder + "/" + name + Self.timeStamp() + ".sqlite"
        let coupons = try backUp(to: destination)
        return (destination, coupons, Self.removeAllButNewest(kept, in: folder, named: name, ending: ".sqlite"))
    }

    /// Removes all but the newest `kept` files in `folder` whose names start with `prefix` and end with
    /// `suffix`; their names end in `nameBeside`'s time stamp, so they sort by age. Returns what it removed.
    @discardableResult
    static func removeAllButNewest(_ kept: Int, in folder: String, named prefix: String, ending suffix: String = "") -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted()
        return names.dropLast(kept).map { folder + "/" + $0 }.filter { (try? FileManager.default.removeItem(atPath: $0)) != nil }
    }

    public struct FailedIntegrityCheck: Error, CustomStringConvertible {
        public let path: String
        public let problems: [String]
        public var description: String { "\(path) failed integrity_check: \(problems.prefix(5).joined(separator: "; "))" }
    }

    /// `VACUUM INTO`: one read transaction, so one snapshot, in one pass, however many commits come meanwhile
    /// (SQLite's backup API starts over at each). On a connection of its own, neither the writer (writes
    /// would wait for the copy) nor a pooled reader (VACUUM takes no transaction around it).
    static func copy(_ path: String, to destination: String) throws {
        try DatabaseQueue(path: path, configuration: readOnly).inDatabase { db in
            try db.execute(sql: "VACUUM INTO ?", arguments: [destination])
        }
    }

    /// Checks that the database file at `path`, a copy, passes `integrity_check` and has a schema this
    /// version knows; returns the coupons it holds. It is only read.
    public static func checkCopy(at path: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        return try DatabaseQueue(path: path, configuration: readOnly).read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard integrity == ["ok"] else { throw FailedIntegrityCheck(path: path, problems: integrity) }
            let unknown = try unknownMigrations(db)
            guard unknown.isEmpty else { throw NewerSchema(unknown: unknown) }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM coupon") ?? 0
        }
    }

    /// `path` + `.what-20261207T175800Z`: the name of a file kept beside a database, made now.
    public static func nameBeside(_ path: String, _ what: String) -> String {
        path + "." + what + "-" + timeStamp()
    }

    /// Now, in UTC, as `20261207T175800Z`: names with it sort by age.
    static func timeStamp() -> String {
        ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withYear, .withMonth, .withDay, .withTime, .withTimeZone])
            .filter { $0 != "-" && $0 != ":" }
    }

    private static var readOnly: Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        return configuration
    }
}
