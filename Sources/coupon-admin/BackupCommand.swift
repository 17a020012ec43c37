import App
import ArgumentParser
import Foundation
import Storage

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database, as of one moment, while the worker goes on; the copy is checked before it is reported made.",
        discussion: """
            The copy (SQLite's VACUUM INTO) is a database of its own, to keep elsewhere. DEST must not exist; \
            run by root, its folder must be writable by the database's owner, as whom the command runs.
            """
    )

    @Argument(help: "Where the copy goes")
    var destination: String

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let opened = try database.openExisting()
        let destination = URL(fileURLWithPath: destination).path
        guard !FileManager.default.fileExists(atPath: destination) else {
            warn("\(destination) exists already; a backup never replaces a file")
            throw ExitCode.failure
        }
        do {
            let coupons = try opened.backUp(to: destination)
            print("\(destination): \(coupons) coupons, integrity_check ok")
        } catch {
            warn("the backup failed: \(error)")
            throw ExitCode.failure
        }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the database: SQLite's integrity and foreign keys, and its schema against this version's.",
        discussion: "Exits 0 when all is well, 1 when anything is not, 78 for a newer version's database (for scripts and monitoring)."
    )

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let configuration = try database.loadConfiguration()
        let opened = try openDatabase(configuration, existing: true)  // a schema behind or ahead of this version's ends it here
        let report: AppDatabase.Check
        do {
            report = try opened.check()
        } catch {
            warn("the check could not run: \(error)")
            throw ExitCode.failure
        }
        print("""
            database: \(configuration.databasePath)
            integrity: \(report.integrity.prefix(10).joined(separator: "; "))
            foreign keys: \(report.foreignKeyViolations == 0 ? "ok" : "\(report.foreignKeyViolations) rows name rows that are not there")
            schema: \(report.appliedMigrations) of this version's \(report.knownMigrations) migrations
            """)
        if !report.isHealthy { throw ExitCode.failure }
    }
}
