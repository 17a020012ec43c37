#if canImport(Glibc)
import Glibc
#endif
import Coupons
import Foundation
import FastCGI
import Logging
import Storage
import Sync
import Web

/// Wires the configuration to the router and the FastCGI server. `coupon-admin serve` and the tests
/// build the application the same way.
public enum Application {
    /// Every route the worker answers.
    /// With `sync`, `/healthz` is degraded while WeChat calls are paused. Staff sessions end after
    /// `sessionIdleTimeout` seconds unused or `sessionLifetime` seconds in all.
    /// Pages show and take times on `clock`, the shop's time zone. A create or change waits for WeChat for at
    /// most `syncDeadline`. The API's answers are kept in up to `answerCacheBytes` while the database is unchanged.
    /// With `metrics`, `/metrics` answers its text (`Monitoring.exposition`).
    public static func makeRouter(
        database: AppDatabase, sync: CouponSync? = nil, syncDeadline: Duration = .seconds(5),
        sessionIdleTimeout: Int = 8 * 3600, sessionLifetime: Int = 7 * 86400, answerCacheBytes: Int = 0,
        clock: ShopClock = ShopClock(timeZoneIdentifier: "Asia/Shanghai")!, metrics: (@Sendable () throws -> [UInt8])? = nil,
        now: @escaping @Sendable () -> Int = unixTime
    ) -> Router {
        let throttle = FailureThrottle()
        let services = WebServices(
            database: database, sync: sync, syncDeadline: syncDeadline, clock: clock,
            answerCache: answerCacheBytes > 0 ? AnswerCache(maximumBytes: answerCacheBytes, now: now) : nil,
            authenticator: APIKeyAuthenticator(database: database, throttle: throttle, now: now),
            sessions: StaffSessions(database: database, idleTimeout: sessionIdleTimeout, lifetime: sessionLifetime, now: now), throttle: throttle,
            metrics: metrics, now: now
        )
        return Router(serving: services)
    }

    /// Opens the database named by the configuration, applying any migration it lacks.
    public static func openDatabase(_ configuration: Configuration) throws -> AppDatabase {
        try AppDatabase(path: configuration.databasePath, durability: configuration.databaseDurability, syncAttemptsKept: configuration.syncAttemptsKept)
    }

    /// Opens the database named by the configuration as it is, for commands that only read: one that is
    /// missing is an error naming its path, never created, and one that lacks a migration is not migrated.
    public static func openExistingDatabase(_ configuration: Configuration) throws -> AppDatabase {
        let path = configuration.databasePath
        guard FileManager.default.fileExists(atPath: path) else {
            throw UnavailableDatabase(description: "there is no database at \(path): set COUPON_ADMIN_DATABASE (or --database) to the service's, or create one with `coupon-admin migrate`")
        }
        return try AppDatabase(path: path, durability: configuration.databaseDurability, syncAttemptsKept: configuration.syncAttemptsKept, migrate: false)
    }

    /// Opens the database for the worker, trying again every `interval` seconds for as long as it cannot be opened
    /// for writing (the file or its folder read-only to this user, a full disk, ...), so that the worker
    /// comes up by itself once the cause is put right; meanwhile nothing listens, and nginx answers 503.
    /// Says why at the first failure, then once a minute.
    /// A database that a newer version migrated is not waited for: it throws `AppDatabase.NewerSchema`.
    public static func openDatabaseForServing(_ configuration: Configuration, logger: Logger, interval: Double = 2) throws -> AppDatabase {
        var failures = 0
        while true {
            let reason: String
            if let unwritable = unwritableFile(of: configuration.databasePath) {
                // Not even tried: SQLite would make its -shm file as read-only as the database, for good.
                reason = "\(unwritable) is not writable by this user (uid \(getuid()))"
            } else {
                do {
                    let database = try openDatabase(configuration)
                    if database.isWritable {
                        if failures > 0 { logger.notice("database open", metadata: ["path": "\(configuration.databasePath)"]) }
                        if !database.migration.applied.isEmpty {
                            logger.notice("database migrated", metadata: [
                                "applied": "\(database.migration.applied.joined(separator: ", "))",
                                "copied_first_to": "\(database.migration.backup ?? "none: it held no data")",
                            ])
                        }
                        return database
                    }
                    reason = "SQLite opened it read-only"
                } catch let error as AppDatabase.NewerSchema {
                    throw error
                } catch {
                    reason = "\(error)"
                }
            }
            if failures % max(1, Int(60 / interval)) == 0 {
                logger.critical("cannot open the database for writing; trying again until it can", metadata: [
                    "path": "\(configuration.databasePath)", "reason": "\(reason)", "retry_every_s": "\(interval)",
                ])
            }
            failures += 1
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// The first of the database's files (itself, its -wal and -shm files, or its folder, where SQLite
    /// makes those) that exists and that this process may not write; nil when there is none. `access()`
    /// looks at the permissions without opening the files.
    static func unwritableFile(of databasePath: String) -> String? {
        let folder = (databasePath as NSString).deletingLastPathComponent
        let files = [databasePath, databasePath + "-wal", databasePath + "-shm"].filter { FileManager.default.fileExists(atPath: $0) }
        return ([folder.isEmpty ? "." : folder] + files).first { access($0, W_OK) != 0 }
    }

    /// Serves until SIGTERM, SIGINT or SIGUSR1, then drains the requests in flight.
    public static func serve(configuration: Configuration, database: AppDatabase, logger: Logger) throws(ListenError) -> Server.Outcome {
        for name in configuration.ignoredVariables {
            logger.warning("ignoring unknown setting", metadata: ["variable": "\(name)"])
        }
        // With WeChat configured, new coupons are sent to it as they are created.
        let client = configuration.wechat.map { makeWeChatClient($0, database: database) }
        defer { client?.shutdownAndWait() }
        let sync = client.map { makeCouponSync(database: database, client: $0) }
        let server = try Server(configuration: configuration.server, responder: SecurityHeaders(around: makeRouter(
            database: database, sync: sync, syncDeadline: configuration.syncDeadline, sessionIdleTimeout: configuration.sessionIdleTimeout,
            sessionLifetime: configuration.sessionLifetime, answerCacheBytes: configuration.answerCacheBytes, clock: configuration.shopClock,
            metrics: Monitoring.exposition(database: database, tokenKey: configuration.wechat.map(accessTokenKey))
        )), logger: logger)
        server.shutDownOnSignals()
        server.start()
        // Pending coupons are retried in the background until each is synced or rejected.
        let loop = sync.map { sync in Task.detached { await SyncLoop(sync: sync).run(logger: logger) } }
        defer { loop?.cancel() }
        return server.waitUntilStopped()
    }
}

/// Why a command that only reads has no database to read.
public struct UnavailableDatabase: Error, CustomStringConvertible {
    public let description: String
}

/// Seconds since 1970 on the system clock.
@Sendable public func unixTime() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return now.tv_sec
}

/// Seconds since 1970 on the system clock, with their fraction.
@Sendable public func unixTimeWithFraction() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
