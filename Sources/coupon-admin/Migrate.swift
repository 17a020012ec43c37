import App
import ArgumentParser
import Foundation
import Storage

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the database or bring it up to date; serve does the same at start.",
        discussion: "Reads the database settings from COUPON_ADMIN_DATABASE and COUPON_ADMIN_DATABASE_SYNC like serve; flags win."
    )

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let configuration = try loadConfiguration(flags: database.flags)
        let opened = try openDatabase(configuration)
        print("\(configuration.databasePath): migrations applied: \(try opened.appliedMigrations().joined(separator: ", "))")
    }
}

/// The database flags that `serve` and `migrate` share.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database"), help: "Path of the SQLite file (default \(Configuration.Key.database.defaultValue))")
    var path: String?

    @Option(name: .customLong("database-sync"), help: "full or normal: SQLite's synchronous setting (default \(Configuration.Key.databaseSync.defaultValue))")
    var sync: String?

    var flags: [Configuration.Key: String] {
        [.database: path, .databaseSync: sync].compactMapValues { $0 }
    }

    /// The database these flags and the environment name, migrated; a bad setting or a file that will
    /// not open ends the process with a message.
    func open() throws -> AppDatabase {
        try openDatabase(try loadConfiguration(flags: flags))
    }
}

/// The configuration from the environment and `flags`; a bad value ends the process with EX_CONFIG.
func loadConfiguration(flags: [Configuration.Key: String]) throws -> Configuration {
    do {
        return try Configuration(environment: currentEnvironment(), flags: flags)
    } catch {
        FileHandle.standardError.write(Data("coupon-admin: \(error.description)\n".utf8))
        throw ExitCode(exitConfigurationError)
    }
}
