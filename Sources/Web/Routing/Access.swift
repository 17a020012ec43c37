import Accounts
import FastCGI
import Storage

/// Who may use a route: anyone (health checks, the login page), or whoever authenticates with at
/// least a role: with an API key for the API, with a staff login for the admin pages.
public enum Access: Sendable, Equatable {
    case everyone
    /// An API key (`Authorization: Bearer`) of at least this role.
    case atLeast(Role)
    /// A staff session (cookie) of at least this role. A request without one is sent to the login
    /// page; one that changes something must carry the session's CSRF token.
    case staff(Role)
}

/// Who made a request: a staff account or an API key, by name, with its role.
public struct Principal: Sendable, Equatable {
    public var name: String
    public var role: Role

    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }
}

/// Tells who made a request from its credentials.
public protocol Authenticator: Sendable {
    /// Nil when the request carries no credentials; throws an `HTTPError` (401) for credentials
    /// that are not valid.
    func principal(for request: Request) throws -> Principal?

    /// The same, for a request answered from `snapshot`: what it reads, it reads there.
    func principal(for request: Request, in snapshot: any ReadSnapshot) throws -> Principal?

    /// A digest of the request's credentials, under which its answers may be kept (`AnswerCache`); nil
    /// when it has none, or none of the kind whose answers are kept. Reads nothing; throws what
    /// `principal(for:)` throws before it reads (an address refused for sending too many bad keys).
    func credentialsDigest(for request: Request) throws -> String?
}

extension Authenticator {
    /// For an authenticator that reads nothing from the database.
    public func principal(for request: Request, in snapshot: any ReadSnapshot) throws -> Principal? {
        try principal(for: request)
    }

    /// No answer is kept for an authenticator that does not say whose credentials a request carries.
    public func credentialsDigest(for request: Request) throws -> String? { nil }
}

extension RequestContext {
    /// Refuses with 403 unless the request's principal has at least `role`: for what only some uses of a
    /// route need (`?refresh=true` writes, a plain read does not).
    public func require(_ role: Role) throws(HTTPError) {
        try Authorization.check(principal, has: role)
    }
}

/// Whether a principal may do what needs a role.
enum Authorization {
    static let notAuthenticated = HTTPError(
        status: 401,
        detail: "This needs an API key, sent as Authorization: Bearer KEY (coupon-admin keys create makes one).",
        headers: HTTPHeaders([("WWW-Authenticate", "Bearer")])
    )

    /// 401 without a principal, 403 when its role is too small.
    static func check(_ principal: Principal?, has role: Role) throws(HTTPError) {
        guard let principal else { throw notAuthenticated }
        guard principal.role.allows(role) else {
            throw HTTPError(status: 403, detail: "This needs the \(role.rawValue) role; \(principal.name) has \(principal.role.rawValue).")
        }
    }
}
