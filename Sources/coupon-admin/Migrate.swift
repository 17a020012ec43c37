import App
import ArgumentParser
import Foundation
import Storage
import WeChat

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the database or bring it up to date; serve does the same at start.",
        discussion: "Reads the database settings like serve: flags, then COUPON_ADMIN_DATABASE and COUPON_ADMIN_DATABASE_SYNC, then the settings file."
    )

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let configuration = try database.loadConfiguration()
        let opened = try openDatabase(configuration)
        if opened.migration.applied.isEmpty {
            print("\(configuration.databasePath): up to date (\(try opened.appliedMigrations().count) migrations)")
        } else {
            print("\(configuration.databasePath): applied \(opened.migration.applied.joined(separator: ", "))")
        }
        if let backup = opened.migration.backup { print("copied first to \(backup)") }
    }
}

/// The options every command takes: its settings file and its database. A command reads the same
/// settings as the service: its flags, then the environment, then the settings file, then the defaults.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp(
        "The settings file (default \(SettingsFile.defaultPath) when it exists, or \(SettingsFile.pathVariable))",
        valueName: "file"))
    var settingsFile: String?

    @Option(name: .customLong("database"), help: "Path of the SQLite file (default \(Configuration.Key.database.defaultValue))")
    var path: String?

    @Option(name: .customLong("database-sync"), help: "full or normal: SQLite's synchronous setting (default \(Configuration.Key.databaseSync.defaultValue))")
    var sync: String?

    var flags: [Configuration.Key: String] {
        [.database: path, .databaseSync: sync].compactMapValues { $0 }
    }

    /// The configuration with these flags and `extraFlags`; a bad setting ends the process with EX_CONFIG.
    func loadConfiguration(adding extraFlags: [Configuration.Key: String] = [:]) throws -> Configuration {
        do {
            let environment = try SettingsFile.environment(currentEnvironment(), flag: settingsFile)
            return try Configuration(environment: environment, flags: flags.merging(extraFlags) { $1 })
        } catch {
            FileHandle.standardError.write(Data("coupon-admin: \(error.description)\n".utf8))
            throw ExitCode(exitConfigurationError)
        }
    }

    /// The configuration, which must name a WeChat app (EX_CONFIG otherwise).
    func loadWeChatConfiguration() throws -> (Configuration, WeChatConfiguration) {
        let configuration = try loadConfiguration()
        guard let wechat = configuration.wechat else {
            FileHandle.standardError.write(Data("coupon-admin: WeChat is not configured: set COUPON_ADMIN_WECHAT_APPID and its secret\n".utf8))
            throw ExitCode(exitConfigurationError)
        }
        return (configuration, wechat)
    }

    /// The database, created or brought up to date first: for the commands that write.
    func open() throws -> AppDatabase {
        try openDatabase(try loadConfiguration())
    }

    /// The database as it is, for the commands that only read: never created, never migrated.
    func openExisting() throws -> AppDatabase {
        try openDatabase(try loadConfiguration(), existing: true)
    }
}

/// The configured database, or exit naming it: 78 for one a newer version migrated, 1 otherwise. Created
/// or migrated as needed; `existing`: as it is, for the commands that only read. Run by root, the command
/// goes on as the database's owner first (`DatabaseOwner`).
func openDatabase(_ configuration: Configuration, existing: Bool = false) throws -> AppDatabase {
    try DatabaseOwner.become(ownerOf: configuration.databasePath)
    do {
        return try existing ? Application.openExistingDatabase(configuration) : Application.openDatabase(configuration)
    } catch {
        warn("cannot open the database \(configuration.databasePath): \(error)")
        throw error is AppDatabase.NewerSchema ? ExitCode(exitConfigurationError) : ExitCode.failure
    }
}
