import Accounts
import FastCGI
import Storage

/// Staff logins for the admin pages: a random 256-bit session id in an `HttpOnly`, `SameSite=Lax`
/// cookie, stored only as its SHA-256, with a CSRF token bound to it. A session ends when it has
/// been idle for `idleTimeout` seconds, `lifetime` seconds after the login, at logout, or when its
/// account is disabled.
public final class StaffSessions: Sendable {
    public static let cookieName = "coupon_admin_session"

    let database: AppDatabase
    let idleTimeout: Int
    let lifetime: Int
    let now: @Sendable () -> Int

    public init(database: AppDatabase, idleTimeout: Int = 8 * 3600, lifetime: Int = 7 * 86400, now: @escaping @Sendable () -> Int) {
        self.database = database
        self.idleTimeout = idleTimeout
        self.lifetime = lifetime
        self.now = now
    }

    /// The live session a request's cookie names.
    public struct Current: Sendable {
        public var principal: Principal
        public var csrfToken: String
        var idHash: String
    }

    public func current(for request: Request) throws -> Current? {
        guard let id = Self.sessionID(in: request) else { return nil }
        let idHash = sha256Hex(String(id))
        guard let session = try database.accounts.session(idHash: idHash) else { return nil }
        let now = now()
        guard !session.userDisabled, now - session.lastSeenAt <= idleTimeout, now - session.createdAt <= lifetime else {
            try database.accounts.endSession(idHash: idHash, loggedOut: nil, now: now)
            return nil
        }
        try database.accounts.touchSession(idHash: idHash, lastSeenAt: session.lastSeenAt, now: now)
        return Current(principal: Principal(name: session.userName, role: session.role), csrfToken: session.csrfToken, idHash: idHash)
    }

    /// Starts a session for `userName` with a new id, ending any the request came with; answers the
    /// `Set-Cookie` value for it.
    func start(userName: String, for request: Request) throws -> String {
        let id = randomToken(), now = now()
        try database.accounts.startSession(
            idHash: sha256Hex(id), userName: userName, csrfToken: randomToken(),
            replacing: Self.sessionID(in: request).map { sha256Hex(String($0)) }, now: now,
            idleSince: now - idleTimeout, madeBefore: now - lifetime
        )
        return Self.cookie(id, maxAge: nil, for: request)
    }

    func end(_ session: Current) throws {
        try database.accounts.endSession(idHash: session.idHash, loggedOut: session.principal.name, now: now())
    }

    /// `name=value; Path=/; HttpOnly; SameSite=Lax`, `Secure` when the request came over HTTPS. The path
    /// is where CouponAdmin is mounted, so that a merchant's site around it never gets the cookie.
    static func cookie(_ value: String, maxAge: Int?, for request: Request) -> String {
        let path = request.mountPath.isEmpty ? "/" : request.mountPath
        return "\(cookieName)=\(value); Path=\(path); HttpOnly; SameSite=Lax" + (maxAge.map { "; Max-Age=\($0)" } ?? "") + (request.isHTTPS ? "; Secure" : "")
    }

    /// The session id of the `Cookie` header, when it has the shape of one.
    static func sessionID(in request: Request) -> Substring? {
        guard let value = request.cookie(named: cookieName) else { return nil }
        return looksLikeRandomToken(value) ? value : nil
    }
}
