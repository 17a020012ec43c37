import Accounts
import Coupons
import FastCGI
import Storage
import Sync

/// What the routes work with, built once by `App` and handed to every controller: the database, the
/// sync with WeChat, the clocks, and the middleware that tells who is asking.
public struct WebServices: Sendable {
    public var database: AppDatabase
    /// Nil when WeChat is not configured: coupons are stored and wait.
    public var sync: CouponSync?
    /// How long an answer waits for WeChat before it says the work is queued (202).
    public var syncDeadline: Duration
    public var clock: ShopClock
    /// Where the answers of the API's reads are kept while the database is unchanged; nil keeps none.
    public var answerCache: AnswerCache?
    /// Who an API request is; nil refuses every API route that needs a role.
    public var authenticator: (any Authenticator)?
    /// Who an admin-page request is.
    public var sessions: StaffSessions
    /// One throttle for bad keys and failed logins: an address guessing either is slowed for both.
    public var throttle: FailureThrottle
    /// Admins' actions that hand out credentials (accounts, passwords, keys): the first ten in a row
    /// are free, then each is held back like a failed login, until ten minutes pass without one.
    public var adminActions: FailureThrottle
    /// The text of `/metrics`; nil serves no such route.
    public var metrics: (@Sendable () throws -> [UInt8])?
    /// Unix seconds.
    public var now: @Sendable () -> Int

    public init(
        database: AppDatabase, sync: CouponSync? = nil, syncDeadline: Duration = .seconds(5),
        clock: ShopClock = ShopClock(timeZoneIdentifier: "Asia/Shanghai")!, answerCache: AnswerCache? = nil, authenticator: (any Authenticator)? = nil,
        sessions: StaffSessions? = nil, throttle: FailureThrottle = FailureThrottle(),
        adminActions: FailureThrottle = FailureThrottle(freeFailures: 10, maximumBlock: 900, forgetAfter: 600), metrics: (@Sendable () throws -> [UInt8])? = nil,
        now: @escaping @Sendable () -> Int
    ) {
        self.database = database
        self.sync = sync
        self.syncDeadline = syncDeadline
        self.clock = clock
        self.answerCache = answerCache
        self.authenticator = authenticator
        self.sessions = sessions ?? StaffSessions(database: database, now: now)
        self.throttle = throttle
        self.adminActions = adminActions
        self.metrics = metrics
        self.now = now
    }

    /// API routes for keys of at least `role`.
    func apiKey(_ role: Role) -> APIKeyAuthentication { APIKeyAuthentication(authenticator, role: role) }

    /// API reads for keys of at least `role`, answered again from the answer cache while nothing changed.
    func cachedReads(_ role: Role) -> [any RouteMiddleware] {
        let authentication: any RouteMiddleware = apiKey(role)
        guard let answerCache else { return [authentication] }
        return [AnswerCaching(answerCache, of: database, authenticator: authenticator), authentication]
    }

    /// Admin pages for staff sessions of at least `role`, their changes checked for the session's CSRF token.
    func staff(_ role: Role) -> [any RouteMiddleware] { [StaffAuthentication(sessions, role: role), CSRFProtection()] }

    /// The sync, or 409 when WeChat is not configured.
    func configuredSync() throws(HTTPError) -> CouponSync {
        guard let sync else {
            throw HTTPError(status: 409, detail: "WeChat is not configured on this worker (COUPON_ADMIN_WECHAT_APPID), so nothing can be asked of it.")
        }
        return sync
    }
}

/// A type that declares routes, with the services they work with.
protocol Controller {
    var services: WebServices { get }
}

extension Controller {
    var database: AppDatabase { services.database }
    var sync: CouponSync? { services.sync }
    var syncDeadline: Duration { services.syncDeadline }
    var clock: ShopClock { services.clock }
    var now: @Sendable () -> Int { services.now }
}

extension Router {
    /// Every route the worker serves, by controller.
    public init(serving services: WebServices) {
        self.init()
        HealthRoutes(services: services).addRoutes(to: &self)
        CouponAPI(services: services).addRoutes(to: &self)
        UserCouponAPI(services: services).addRoutes(to: &self)
        ImportAPI(services: services).addRoutes(to: &self)
        AuditAPI(services: services).addRoutes(to: &self)
        OpenAPIDocument(services: services).addRoutes(to: &self)
        LoginPages(services: services).addRoutes(to: &self)
        AccountPages(services: services).addRoutes(to: &self)
        KeyPages(services: services).addRoutes(to: &self)
        PeoplePages(services: services).addRoutes(to: &self)
        AuditPages(services: services).addRoutes(to: &self)
        CouponPages(services: services).addRoutes(to: &self)
        ImportPages(services: services).addRoutes(to: &self)
        UploadPages(services: services).addRoutes(to: &self)
        FailurePages(services: services).addRoutes(to: &self)
        UserCouponPages(services: services).addRoutes(to: &self)
    }

}
