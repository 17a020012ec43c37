import FastCGI
import Logging
import Storage

/// A setting that is missing or malformed; the message names where the bad value came from.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String
}

/// Everything the worker is told at start: read once from `COUPON_ADMIN_*` environment variables,
/// overridden by `coupon-admin serve` flags. Every key, its variable and its default is in the README.
public struct Configuration: Sendable {
    public var server: ServerConfiguration
    public var logLevel: Logger.Level
    /// The SQLite file; its folder must exist and be writable (SQLite adds `-wal` and `-shm` files beside it).
    public var databasePath: String
    public var databaseDurability: AppDatabase.Durability

    public enum Key: String, CaseIterable, Sendable {
        case listen
        case socketMode = "socket-mode"
        case maxInFlight = "max-in-flight"
        case listenBacklog = "listen-backlog"
        case maxBodyBytes = "max-body-bytes"
        case shutdownTimeout = "shutdown-timeout"
        case logLevel = "log-level"
        case database
        case databaseSync = "database-sync"

        public var flag: String { "--" + rawValue }

        public var environmentName: String {
            Configuration.environmentPrefix + rawValue.uppercased().replacing("-", with: "_")
        }

        public var defaultValue: String {
            switch self {
            case .listen: "unix:/run/coupon-admin/worker.sock"
            case .socketMode: "0" + String(ServerConfiguration.defaultSocketMode, radix: 8)
            case .maxInFlight: String(ServerConfiguration.defaultMaxInFlight)
            case .listenBacklog: String(ServerConfiguration.defaultListenBacklog)
            case .maxBodyBytes: String(ServerConfiguration.defaultMaxBodyBytes)
            case .shutdownTimeout: String(ServerConfiguration.defaultShutdownTimeout.components.seconds)
            case .logLevel: "info"
            case .database: "/var/lib/coupon-admin/coupon-admin.sqlite"
            case .databaseSync: AppDatabase.Durability.full.rawValue
            }
        }
    }

    public static let environmentPrefix = "COUPON_ADMIN_"

    /// - Parameters:
    ///   - environment: the process environment; only `COUPON_ADMIN_*` variables are read.
    ///   - flags: values given on the command line, which win over the environment.
    public init(environment: [String: String], flags: [Key: String] = [:]) throws(ConfigurationError) {
        let values = Values(environment: environment, flags: flags)
        server = ServerConfiguration(
            listen: try values.parse(.listen) { text throws(ConfigurationError) in
                do throws(ListenAddress.ParseError) { return try ListenAddress(parsing: text) } catch { throw ConfigurationError(description: error.description) }
            },
            socketMode: try values.parse(.socketMode, expecting: "an octal file mode such as 0660") { text in
                UInt32(text, radix: 8).flatMap { $0 <= 0o777 ? $0 : nil }
            },
            maxInFlight: try values.integer(.maxInFlight, in: 1...4096),
            listenBacklog: Int32(try values.integer(.listenBacklog, in: 1...65535)),
            maxBodyBytes: try values.integer(.maxBodyBytes, in: 1...(1 << 30)),
            shutdownTimeout: try values.parse(.shutdownTimeout, expecting: "a number of seconds from 0 to 3600") { text in
                Double(text).flatMap { $0.isFinite && (0...3600).contains($0) ? .milliseconds(Int64($0 * 1000)) : nil }
            }
        )
        logLevel = try values.parse(.logLevel, expecting: "one of trace, debug, info, notice, warning, error, critical") {
            Logger.Level(rawValue: $0)
        }
        databasePath = try values.parse(.database, expecting: "the path of the SQLite file") { $0.isEmpty ? nil : $0 }
        databaseDurability = try values.parse(.databaseSync, expecting: "full or normal") { AppDatabase.Durability(rawValue: $0) }
    }

    /// `COUPON_ADMIN_*` variables that name no setting: most likely typos, worth a warning.
    public static func unknownVariables(in environment: [String: String]) -> [String] {
        let known = Set(Key.allCases.map(\.environmentName))
        return environment.keys.filter { $0.hasPrefix(environmentPrefix) && !known.contains($0) }.sorted()
    }
}

/// Looks a key up in the flags, then the environment, then the defaults, and parses it with a message
/// that names the flag or variable the value came from.
private struct Values {
    let environment: [String: String]
    let flags: [Configuration.Key: String]

    func parse<T>(_ key: Configuration.Key, _ parse: (String) throws(ConfigurationError) -> T) throws(ConfigurationError) -> T {
        let (text, source) = lookup(key)
        do {
            return try parse(text)
        } catch {
            throw ConfigurationError(description: "\(source): \(error.description)")
        }
    }

    func parse<T>(_ key: Configuration.Key, expecting: String, _ parse: (String) -> T?) throws(ConfigurationError) -> T {
        let (text, source) = lookup(key)
        guard let value = parse(text.trimmingSpaces) else {
            throw ConfigurationError(description: "\(source)='\(text)': expected \(expecting)")
        }
        return value
    }

    func integer(_ key: Configuration.Key, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        try parse(key, expecting: "a whole number from \(range.lowerBound) to \(range.upperBound)") { text in
            Int(text).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    private func lookup(_ key: Configuration.Key) -> (text: String, source: String) {
        if let flag = flags[key] { return (flag, key.flag) }
        if let variable = environment[key.environmentName] { return (variable, key.environmentName) }
        return (key.defaultValue, "default \(key.environmentName)")
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
