import Foundation
import GRDB

extension AppDatabase {
    /// A database opened as it is (`migrate: false`) that lacks migrations this version has.
    public struct NotMigrated: Error, CustomStringConvertible {
        public let missing: [String]
        public var description: String {
            "it lacks this version's migrations \(missing.joined(separator: ", ")): run `coupon-admin migrate`, or start the service, first"
        }
    }

    /// A database that a newer version migrated: this one does not know its schema, and must not run on it.
    public struct NewerSchema: Error, CustomStringConvertible {
        public let unknown: [String]
        public var description: String {
            "a newer version of CouponAdmin migrated it (\(unknown.joined(separator: ", "))), which this version does not know: "
                + "install that version again, or restore a copy made before the upgrade"
        }
    }

    /// The migrations applied to the database that this version does not know: a newer one's.
    static func unknownMigrations(_ db: Database) throws -> [String] {
        try migrator.appliedIdentifiers(db).filter { !migrationNames.contains($0) }.sorted()
    }

    /// Copies kept beside the database from before the migrations that changed it; older ones are removed.
    public static let backupsKept = 3

    /// What opening the database did to its schema.
    public struct Migration: Sendable {
        /// The migrations applied now, in order; empty when it was up to date.
        public let applied: [String]
        /// Where the database was copied first: a database that held data, migrated now.
        public let backup: String?
    }

    /// Checks the database's schema against this version's migrations (GRDB records each one applied) and,
    /// with `migrate`, applies those it lacks, first copying a database that holds any data.
    static func bringUpToDate(_ writer: DatabasePool, path: String, migrate: Bool) throws -> Migration {
        let (applied, unknown) = try writer.read { db in (try migrator.appliedIdentifiers(db), try unknownMigrations(db)) }
        guard unknown.isEmpty else { throw NewerSchema(unknown: unknown) }
        let missing = migrationNames.filter { !applied.contains($0) }
        guard !missing.isEmpty else { return Migration(applied: [], backup: nil) }
        guard migrate else { throw NotMigrated(missing: missing) }
        var backup: String?
        if !applied.isEmpty {
            backup = try copy(besides: path)
        }
        try migrator.migrate(writer)
        return Migration(applied: missing, backup: backup)
    }

    /// `coupon-admin.sqlite` -> `coupon-admin.sqlite.before-migration-20261207T175800Z`, a copy of one
    /// snapshot (`copy(_:to:)`); all but the newest `backupsKept` such copies are removed.
    private static func copy(besides path: String) throws -> String {
        let copy = nameBeside(path, "before-migration")
        try Self.copy(path, to: copy)
        let folder = (path as NSString).deletingLastPathComponent
        removeAllButNewest(backupsKept, in: folder.isEmpty ? "." : folder, named: (path as NSString).lastPathComponent + ".before-migration-")
        return copy
    }
}
