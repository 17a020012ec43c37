import App
import ArgumentParser
import Foundation
import Storage

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database, as of one moment, while the worker goes on; the copy is checked before it is reported made.",
        discussion: """
            The copy (SQLite's VACUUM INTO) is a database of its own, to keep elsewhere. DEST must not exist. \
            Without DEST the copy goes into COUPON_ADMIN_BACKUP_DIR (default \(Configuration.Key.backupDirectory.defaultValue)) \
            as coupon-admin-TIME.sqlite, and only the newest COUPON_ADMIN_BACKUP_KEEP copies there are kept \
            (default \(Configuration.Key.backupKeep.defaultValue)): what the daily coupon-admin-backup.timer runs. \
            Run by root, the command runs as the database's owner, who must be able to write there.
            """
    )

    @Argument(help: "Where the copy goes (default: a new file in the backup folder)")
    var destination: String?

    @Option(name: .customLong("backup-dir"), help: ArgumentHelp("The backup folder, without DEST (default \(Configuration.Key.backupDirectory.defaultValue))", valueName: "folder"))
    var folder: String?

    @Option(name: .customLong("backup-keep"), help: ArgumentHelp("Copies kept in the backup folder, 1 to 10000 (default \(Configuration.Key.backupKeep.defaultValue))", valueName: "count"))
    var kept: String?

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let configuration = try database.loadConfiguration(adding: [.backupDirectory: folder, .backupKeep: kept].compactMapValues { $0 })
        let opened = try openDatabase(configuration, existing: true)
        let destination = self.destination.map { URL(fileURLWithPath: $0).path }
        if let destination, FileManager.default.fileExists(atPath: destination) {
            warn("\(destination) exists already; a backup never replaces a file")
            throw ExitCode.failure
        }
        // The folder the copy goes into; the backup folder is made if missing, so then its parent must be writable.
        var writtenFolder = destination.map { ($0 as NSString).deletingLastPathComponent } ?? configuration.backupDirectory
        if destination == nil && !FileManager.default.fileExists(atPath: writtenFolder) {
            writtenFolder = (writtenFolder as NSString).deletingLastPathComponent
        }
        if let problem = FileAccess.problem(writtenFolder, W_OK, what: "the folder") {
            warn("the backup failed: \(problem)")
            throw ExitCode.failure
        }
        do {
            if let destination {
                let coupons = try opened.backUp(to: destination)
                print("\(destination): \(coupons) coupons, integrity_check ok")
            } else {
                let made = try opened.backUp(into: configuration.backupDirectory, keeping: configuration.backupsKept)
                print("\(made.path): \(made.coupons) coupons, integrity_check ok")
                for old in made.removed { print("removed \(old) (\(Configuration.Key.backupKeep.environmentName)=\(configuration.backupsKept))") }
            }
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
