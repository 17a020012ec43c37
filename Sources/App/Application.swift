#if canImport(Glibc)
import Glibc
#endif
import Coupons
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
    public static func makeRouter(
        database: AppDatabase, sync: CouponSync? = nil, syncDeadline: Duration = .seconds(5),
        sessionIdleTimeout: Int = 8 * 3600, sessionLifetime: Int = 7 * 86400, answerCacheBytes: Int = 0,
        clock: ShopClock = ShopClock(timeZoneIdentifier: "Asia/Shanghai")!, now: @escaping @Sendable () -> Int = unixTime
    ) -> Router {
        // One throttle for bad keys and failed logins: an address guessing either is slowed for both.
        let throttle = FailureThrottle()
        let sessions = StaffSessions(database: database, idleTimeout: sessionIdleTimeout, lifetime: sessionLifetime, now: now)
        var router = Router(authenticator: APIKeyAuthenticator(database: database, throttle: throttle, now: now), sessions: sessions)
        if let client = sync?.client {
            router.addHealthRoutes { client.pause?.description }
        } else {
            router.addHealthRoutes()
        }
        let cache = answerCacheBytes > 0 ? AnswerCache(maximumBytes: answerCacheBytes, now: now) : nil
        router.addCouponRoutes(database: database, sync: sync, syncDeadline: syncDeadline, cache: cache, now: now)
        router.addCouponChangeRoutes(database: database, sync: sync, syncDeadline: syncDeadline, now: now)
        router.addUserCouponRoutes(database: database, sync: sync, syncDeadline: syncDeadline, now: now)
        router.addImportRoutes(database: database, sync: sync, now: now)
        router.addAuditRoutes(database: database)
        router.addLoginRoutes(database: database, sessions: sessions, throttle: throttle, now: now)
        router.addCouponFormRoutes(database: database, sync: sync, clock: clock, syncDeadline: syncDeadline, now: now)
        router.addCouponPages(database: database, sync: sync, clock: clock, syncDeadline: syncDeadline, now: now)
        router.addCouponChangePages(database: database, sync: sync, clock: clock, syncDeadline: syncDeadline, now: now)
        router.addImportPages(database: database, sync: sync, clock: clock, now: now)
        router.addUserCouponPages(database: database, sync: sync, clock: clock, syncDeadline: syncDeadline, now: now)
        router.addOpenAPIRoutes()
        return router
    }

    /// Opens the database named by the configuration, applying any migration it lacks.
    public static func openDatabase(_ configuration: Configuration) throws -> AppDatabase {
        try AppDatabase(path: configuration.databasePath, durability: configuration.databaseDurability)
    }

    /// Serves until SIGTERM, SIGINT or SIGUSR1, then drains the requests in flight.
    public static func serve(configuration: Configuration, database: AppDatabase, logger: Logger) throws(ListenError) -> Server.Outcome {
        for name in Configuration.unknownVariables(in: currentEnvironment()) {
            logger.warning("ignoring unknown setting", metadata: ["variable": "\(name)"])
        }
        // With WeChat configured, new coupons are sent to it as they are created.
        let client = configuration.wechat.map { makeWeChatClient($0, database: database) }
        defer { client?.shutdownAndWait() }
        let sync = client.map { makeCouponSync(database: database, client: $0) }
        let server = try Server(configuration: configuration.server, responder: makeRouter(
            database: database, sync: sync, syncDeadline: configuration.syncDeadline, sessionIdleTimeout: configuration.sessionIdleTimeout,
            sessionLifetime: configuration.sessionLifetime, answerCacheBytes: configuration.answerCacheBytes, clock: configuration.shopClock
        ), logger: logger)
        server.shutDownOnSignals()
        server.start()
        // Pending coupons are retried in the background until each is synced or rejected.
        let loop = sync.map { sync in Task.detached { await SyncLoop(sync: sync).run(logger: logger) } }
        defer { loop?.cancel() }
        return server.waitUntilStopped()
    }
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
