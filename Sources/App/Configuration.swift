import Coupons
import FastCGI
import Foundation
import Logging
import Storage
import Sync
import WeChat

/// A setting that is missing or malformed; the message names where the bad value came from.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String
}

/// Everything the worker is told at start: read once from `COUPON_ADMIN_*` environment variables (those
/// of the settings file under those of the process, `SettingsFile`), overridden by flags. Every key, its
/// variable and its default is in the README.
public struct Configuration: Sendable {
    public var server: ServerConfiguration
    public var logLevel: Logger.Level
    /// The SQLite file; its folder must exist and be writable (SQLite adds `-wal` and `-shm` files beside it).
    public var databasePath: String
    public var databaseDurability: AppDatabase.Durability
    /// Where `coupon-admin backup` without a destination (the daily timer) writes, and how many of its
    /// copies it keeps there.
    public var backupDirectory: String
    public var backupsKept: Int
    /// How many of each coupon's sync attempts the database keeps, the newest (all are counted).
    public var syncAttemptsKept: Int
    /// Where and how to reach WeChat; nil when no appid is set, and the worker then syncs nothing.
    public var wechat: WeChatConfiguration?
    /// How long a create or change waits for WeChat before it answers 202 and its sync goes on in the background.
    public var syncDeadline: Duration
    /// Seconds a staff session may go unused, and may last at all.
    public var sessionIdleTimeout: Int
    public var sessionLifetime: Int
    /// The shop's time zone: the admin pages show and take times in it.
    public var shopClock: ShopClock
    /// Memory for the API's answers kept while the database is unchanged (`AnswerCache`); 0 keeps none.
    public var answerCacheBytes: Int
    /// `COUPON_ADMIN_*` variables given that name no setting: a typo, most likely.
    public let ignoredVariables: [String]

    public enum Key: String, CaseIterable, Sendable {
        case listen
        case socketMode = "socket-mode"
        case maxInFlight = "max-in-flight"
        case listenBacklog = "listen-backlog"
        case maxBodyBytes = "max-body-bytes"
        case shutdownTimeout = "shutdown-timeout"
        case clientTimeout = "client-timeout"
        case logLevel = "log-level"
        case database
        case databaseSync = "database-sync"
        case backupDirectory = "backup-dir"
        case backupKeep = "backup-keep"
        case syncAttemptsKept = "sync-attempts-kept"
        case wechatAPIBase = "wechat-api-base"
        case wechatAppID = "wechat-appid"
        case wechatSecret = "wechat-secret"
        case wechatSecretFile = "wechat-secret-file"
        case wechatTokenEndpoint = "wechat-token-endpoint"
        case wechatConnectTimeout = "wechat-connect-timeout"
        case wechatTimeout = "wechat-timeout"
        case syncDeadline = "sync-deadline"
        case sessionIdleTimeout = "session-idle-timeout"
        case sessionLifetime = "session-lifetime"
        case timeZone = "time-zone"
        case answerCacheMiB = "answer-cache-mib"

        /// The `serve` flag; none for the secret, which must not show in a process list.
        public var flag: String? { self == .wechatSecret ? nil : "--" + rawValue }

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
            case .clientTimeout: String(ServerConfiguration.defaultClientTimeout.components.seconds)
            case .logLevel: "info"
            case .database: "/var/lib/coupon-admin/coupon-admin.sqlite"
            case .databaseSync: AppDatabase.Durability.full.rawValue
            case .backupDirectory: "/var/lib/coupon-admin/backups"
            case .backupKeep: "14"
            case .syncAttemptsKept: "20"
            case .wechatAPIBase: "https://api.weixin.qq.com"
            case .wechatAppID, .wechatSecret, .wechatSecretFile: ""
            case .wechatTokenEndpoint: WeChatConfiguration.TokenEndpoint.stable.rawValue
            case .wechatConnectTimeout: "3"
            case .wechatTimeout: "10"
            case .syncDeadline: "5"
            case .sessionIdleTimeout: String(8 * 3600)
            case .sessionLifetime: String(7 * 86400)
            case .timeZone: "Asia/Shanghai"
            case .answerCacheMiB: "8"
            }
        }
    }

    public static let environmentPrefix = "COUPON_ADMIN_"

    /// - Parameters:
    ///   - environment: the process environment; only `COUPON_ADMIN_*` variables are read.
    ///   - flags: values given on the command line, which win over the environment.
    ///   - readFile: reads `COUPON_ADMIN_WECHAT_SECRET_FILE`; tests pass their own.
    public init(
        environment: [String: String], flags: [Key: String] = [:],
        readFile: (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }
    ) throws(ConfigurationError) {
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
            shutdownTimeout: try values.seconds(.shutdownTimeout, in: 0...3600),
            clientTimeout: try values.seconds(.clientTimeout, in: 0.1...3600)
        )
        logLevel = try values.parse(.logLevel, expecting: "one of trace, debug, info, notice, warning, error, critical") {
            Logger.Level(rawValue: $0)
        }
        databasePath = try values.parse(.database, expecting: "the path of the SQLite file") { $0.isEmpty ? nil : $0 }
        databaseDurability = try values.parse(.databaseSync, expecting: "full or normal") { AppDatabase.Durability(rawValue: $0) }
        backupDirectory = try values.parse(.backupDirectory, expecting: "a folder") { $0.isEmpty ? nil : $0 }
        backupsKept = try values.integer(.backupKeep, in: 1...10000)
        syncAttemptsKept = try values.integer(.syncAttemptsKept, in: 1...1000)
        wechat = try Self.wechat(from: values, readFile: readFile)
        syncDeadline = try values.seconds(.syncDeadline, in: 0.1...60)
        sessionIdleTimeout = try values.integer(.sessionIdleTimeout, in: 60...(30 * 86400))
        sessionLifetime = try values.integer(.sessionLifetime, in: 60...(365 * 86400))
        shopClock = try values.parse(.timeZone, expecting: "a time zone name such as Asia/Shanghai") { ShopClock(timeZoneIdentifier: $0) }
        answerCacheBytes = try values.integer(.answerCacheMiB, in: 0...4096) << 20
        ignoredVariables = Self.unknownVariables(in: environment)
        // Each request in flight makes one WeChat call at a time, and the background sync a few more.
        wechat?.maxConnections = server.maxInFlight + SyncLoop.defaultConcurrency
    }

    private static func wechat(from values: Values, readFile: (String) throws -> String) throws(ConfigurationError) -> WeChatConfiguration? {
        let appID = try values.parse(.wechatAppID, expecting: "") { $0 }
        let secret = try values.parse(.wechatSecret, expecting: "") { $0 }
        let secretFile = try values.parse(.wechatSecretFile, expecting: "") { $0 }
        let secretName = Key.wechatSecret.environmentName, fileName = Key.wechatSecretFile.environmentName
        if !secret.isEmpty && !secretFile.isEmpty {
            throw ConfigurationError(description: "\(secretName) and \(fileName) are both set; set one")
        }
        if appID.isEmpty {
            guard secret.isEmpty && secretFile.isEmpty else {
                throw ConfigurationError(description: "a WeChat secret is set but \(Key.wechatAppID.environmentName) is not")
            }
            return nil
        }
        var resolvedSecret = secret
        if !secretFile.isEmpty {
            do {
                resolvedSecret = try readFile(secretFile).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ConfigurationError(description: "\(fileName)='\(secretFile)': cannot read it (\(error.localizedDescription))")
            }
        }
        guard !resolvedSecret.isEmpty else {
            throw ConfigurationError(description: "\(Key.wechatAppID.environmentName) is set but the secret is empty: set \(secretName) or \(fileName)")
        }
        let base = try values.parse(.wechatAPIBase, expecting: "an http:// or https:// URL") { text in
            (text.hasPrefix("https://") || text.hasPrefix("http://")) && URL(string: text)?.host != nil ? text : nil
        }
        let endpoint = try values.parse(.wechatTokenEndpoint, expecting: "stable or legacy") { WeChatConfiguration.TokenEndpoint(rawValue: $0) }
        let connect = try values.seconds(.wechatConnectTimeout, in: 0.1...60)
        let total = try values.seconds(.wechatTimeout, in: 0.1...300)
        return WeChatConfiguration(
            baseURL: base, appID: appID, secret: resolvedSecret, tokenEndpoint: endpoint, connectTimeout: connect, totalTimeout: total
        )
    }

    /// `COUPON_ADMIN_*` variables that name no setting: most likely typos, worth a warning.
    public static func unknownVariables(in environment: [String: String]) -> [String] {
        let known = Set(Key.allCases.map(\.environmentName))
        return environment.keys.filter { $0.hasPrefix(environmentPrefix) && !known.contains($0) && $0 != SettingsFile.pathVariable }.sorted()
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

    /// A number of seconds, fractions allowed, to the millisecond.
    func seconds(_ key: Configuration.Key, in range: ClosedRange<Double>) throws(ConfigurationError) -> Duration {
        func shown(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
        return try parse(key, expecting: "a number of seconds from \(shown(range.lowerBound)) to \(shown(range.upperBound))") { text in
            Double(text).flatMap { $0.isFinite && range.contains($0) ? .milliseconds(Int64($0 * 1000)) : nil }
        }
    }

    private func lookup(_ key: Configuration.Key) -> (text: String, source: String) {
        if let flag = flags[key] { return (flag, key.flag ?? key.environmentName) }
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
