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
    /// removed and throws. Returns the coupons the copy holds.
    @discardableResult
    public func backUp(to destination: String) throws -> Int {
        try Self.copy(writer.path, to: destination)
        do {
            let copy = try DatabaseQueue(path: destination, configuration: { var c = Configuration(); c.readonly = true; return c }())
            let (integrity, coupons) = try copy.read { db in
                (try String.fetchAll(db, sql: "PRAGMA integrity_check"), try Int.fetchOne(db, sql: "SELECT count(*) FROM coupon") ?? 0)
            }
            guard integrity == ["ok"] else { throw BackupFailed(destination: destination, problems: integrity) }
            return coupons
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw error
        }
    }

    public struct BackupFailed: Error, CustomStringConvertible {
        public let destination: String
        public let problems: [String]
        public var description: String { "the copy at \(destination) failed integrity_check and was removed: \(problems.prefix(5).joined(separator: "; "))" }
    }

    /// `VACUUM INTO`: one read transaction, so one snapshot, in one pass, however many commits come meanwhile
    /// (SQLite's backup API starts over at each). On a connection of its own, neither the writer (writes
    /// would wait for the copy) nor a pooled reader (VACUUM takes no transaction around it).
    static func copy(_ path: String, to destination: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        try DatabaseQueue(path: path, configuration: configuration).inDatabase { db in
            try db.execute(sql: "VACUUM INTO ?", arguments: [destination])
        }
    }
}
