import FastCGI
import Logging
import Storage

/// Picks a handler by method and path. Unknown paths answer 404, known paths with another method 405
/// with `Allow`, both as problem+json; a path with a trailing slash redirects to the route without it.
/// `HEAD` is answered by the `GET` handler.
///
/// Every route says who may use it. For a route that needs a role, the authenticator names the
/// request's principal first: none gives 401, too small a role 403, and the handler is not called.
/// A `GET` route that only reads is answered from one snapshot of the database, in which the API key
/// is read too (`get(_:access:reading:remembering:handler:)`); its answers may be kept while the
/// database is unchanged (`AnswerCache`).
public struct Router: Responder {
    private struct Route: Sendable {
        let method: String
        let pattern: RoutePattern
        let access: Access
        let handler: Handler
        let timers: RequestTimers
    }

    private enum Handler: Sendable {
        case async(RouteHandler)
        /// Answered from one snapshot of the database, in which the API key is read too.
        case snapshot(AppDatabase, SnapshotHandler, AnswerCache?)
    }

    private var routes: [Route] = []
    /// The same routes by their number of segments: a path is compared only with patterns of its length.
    private var routesBySegmentCount: [Int: [Route]] = [:]
    /// One route label per pattern, shared by its methods.
    private var timersByPattern: [String: RequestTimers] = [:]
    /// Paths no route owns, whatever they are: one label, `unmatched`.
    private let unmatchedTimers = RequestTimers(route: "unmatched")
    private let authenticator: (any Authenticator)?
    private let sessions: StaffSessions?

    /// Without an authenticator, every API route that needs a role answers 401; without sessions,
    /// every admin page sends to the login page.
    public init(authenticator: (any Authenticator)? = nil, sessions: StaffSessions? = nil) {
        self.authenticator = authenticator
        self.sessions = sessions
    }

    public mutating func add(_ method: String, _ pattern: String, access: Access, handler: @escaping RouteHandler) {
        add(method, pattern, access: access, handler: .async(handler))
    }

    private mutating func add(_ method: String, _ pattern: String, access: Access, handler: Handler) {
        let pattern = RoutePattern(pattern)
        precondition(
            !routes.contains { $0.method == method && $0.pattern == pattern },
            "route \(method) \(pattern) registered twice"
        )
        let timers = timersByPattern[pattern.description] ?? RequestTimers(route: pattern.description)
        timersByPattern[pattern.description] = timers
        let route = Route(method: method, pattern: pattern, access: access, handler: handler, timers: timers)
        routes.append(route)
        routesBySegmentCount[pattern.segments.count, default: []].append(route)
    }

    public mutating func get(_ pattern: String, access: Access, handler: @escaping RouteHandler) {
        add("GET", pattern, access: access, handler: handler)
    }

    /// A `GET` route answered from one snapshot of `database`: the request's API key and its answer are
    /// read in one read transaction. Not for admin pages, whose sessions are written as they are read.
    ///
    /// With `cache`, its `200` answers are kept there while the database is unchanged, and given again to
    /// the same credentials asking for the same path and query: for routes whose answer depends on
    /// nothing else of the request.
    public mutating func get(
        _ pattern: String, access: Access, reading database: AppDatabase, remembering cache: AnswerCache? = nil, handler: @escaping SnapshotHandler
    ) {
        if case .staff = access { preconditionFailure("route GET \(pattern): staff sessions are not read from a snapshot") }
        add("GET", pattern, access: access, handler: .snapshot(database, handler, cache))
    }

    public mutating func post(_ pattern: String, access: Access, handler: @escaping RouteHandler) {
        add("POST", pattern, access: access, handler: handler)
    }

    public mutating func put(_ pattern: String, access: Access, handler: @escaping RouteHandler) {
        add("PUT", pattern, access: access, handler: handler)
    }

    /// Every registered method and pattern with who may use it, for tests that walk all routes.
    public var registeredRoutes: [(method: String, pattern: String, access: Access)] {
        routes.map { ($0.method, $0.pattern.description, $0.access) }
    }

    /// The answer, its time recorded under the route's pattern (`RequestTimers`).
    public func respond(to request: Request, logger: Logger) async throws -> Response {
        let start = ContinuousClock.now
        var timers = unmatchedTimers
        do {
            let response = try await answer(request, logger: logger, timedBy: &timers)
            timers.record(method: request.method, status: response.status, since: start)
            return response
        } catch {
            timers.record(method: request.method, status: 500, since: start)
            throw error
        }
    }

    private func answer(_ request: Request, logger: Logger, timedBy timers: inout RequestTimers) async throws -> Response {
        guard let segments = Self.decodedSegments(of: request.path) else {
            return .problem(status: 400, detail: "The path is not validly percent-encoded UTF-8.", for: request)
        }
        let owning = routesOwning(segments)
        if let (route, parameters) = owning.first(where: { $0.route.method == request.method })
            ?? (request.method == "HEAD" ? owning.first { $0.route.method == "GET" } : nil)
        {
            timers = route.timers
            var session: StaffSessions.Current?
            do {
                switch route.handler {
                case .snapshot(let database, let handler, let cache):
                    // Taken before the snapshot begins, which then sees the database as of the stamp or later.
                    let kept = try cache.flatMap { try keptAnswer(for: request, in: $0, of: database) }
                    if let response = kept?.answer { return response }
                    let answer = try database.read { snapshot in
                        let principal = try authenticated(for: route.access) { try $0.principal(for: request, in: snapshot) }
                        return try handler(RequestContext(request: request, parameters: parameters, principal: principal, logger: logger), snapshot)
                    }
                    switch answer {
                    case .response(let response):
                        if let kept { cache?.remember(response, for: kept.key, readAfter: kept.stamp) }
                        return response
                    case .afterwards(let work): return try await work()
                    }
                case .async(let handler):
                    var principal: Principal?
                    switch route.access {
                    case .everyone, .atLeast:
                        principal = try authenticated(for: route.access) { try $0.principal(for: request) }
                    case .staff(let role):
                        session = try sessions?.current(for: request)
                        guard let session else { return Self.redirectToLogin(request) }
                        try Self.check(session.principal, has: role)
                        if request.method != "GET" && request.method != "HEAD" { try Self.checkCSRF(request, session) }
                    }
                    return try await handler(
                        RequestContext(request: request, parameters: parameters, principal: principal, session: session, logger: logger))
                }
            } catch let error as HTTPError {
                return Self.isPage(request) ? Pages.error(error, for: request, session: session) : error.response(for: request)
            }
        }
        var allowed = Set(owning.map(\.route.method))
        if allowed.isEmpty {
            return redirectWithoutTrailingSlash(request, segments: segments)
                ?? (Self.isPage(request)
                    ? Pages.error(HTTPError(status: 404), for: request, session: nil)
                    : .problem(status: 404, detail: "There is nothing at this path.", for: request))
        }
        if allowed.contains("GET") { allowed.insert("HEAD") }
        let allow = allowed.sorted().joined(separator: ", ")
        return .problem(
            status: 405,
            detail: "\(request.method) is not allowed here; use \(allow).",
            for: request,
            headers: HTTPHeaders([("Allow", allow)])
        )
    }

    /// The principal an API route needs, named by `authenticate`: 401 without one, 403 when its role is
    /// too small; nil on routes open to everyone, which ask nobody.
    private func authenticated(for access: Access, _ authenticate: (any Authenticator) throws -> Principal?) throws -> Principal? {
        guard case .atLeast(let role) = access else { return nil }
        let principal = try authenticator.flatMap(authenticate)
        try Self.check(principal, has: role)
        return principal
    }

    /// Where `request`'s answer is kept in `cache`, and the answer when it is there; nil when it cannot be
    /// kept: no credentials whose answers are kept, or a commit under way.
    private func keptAnswer(
        for request: Request, in cache: AnswerCache, of database: AppDatabase
    ) throws -> (key: AnswerCache.Key, stamp: AppDatabase.ChangeStamp, answer: Response?)? {
        guard let credentials = try authenticator?.credentialsDigest(for: request), let stamp = database.changeStamp() else { return nil }
        let key = AnswerCache.Key(credentials: credentials, target: request.query.isEmpty ? request.path : request.path + "?" + request.query)
        return (key, stamp, cache.answer(for: key, at: stamp))
    }

    /// The admin pages answer errors with an HTML page, the API with problem+json.
    static func isPage(_ request: Request) -> Bool {
        request.path == "/admin" || request.path.hasPrefix("/admin/")
    }

    /// The routes the path belongs to, with their parameters: of those that match it, the ones with the
    /// most literal segments.
    private func routesOwning(_ segments: [String]) -> [(route: Route, parameters: [String: String])] {
        var owning: [(route: Route, parameters: [String: String])] = []
        var most = 0
        for route in routesBySegmentCount[segments.count] ?? [] {
            guard let parameters = route.pattern.match(segments), route.pattern.literalCount >= most else { continue }
            if route.pattern.literalCount > most {
                owning.removeAll()
                most = route.pattern.literalCount
            }
            owning.append((route, parameters))
        }
        return owning
    }

    /// `/healthz/` -> 308 to `/healthz` under the mount point, when only the slash is in the way.
    private func redirectWithoutTrailingSlash(_ request: Request, segments: [String]) -> Response? {
        guard request.path.count > 1, request.path.hasSuffix("/"), segments.last == "" else { return nil }
        let trimmed = Array(segments.dropLast())
        guard routesBySegmentCount[trimmed.count]?.contains(where: { $0.pattern.match(trimmed) != nil }) == true else { return nil }
        var location = request.url(for: String(request.path.dropLast()))
        if !request.query.isEmpty { location += "?" + request.query }
        return Response(status: 308, headers: HTTPHeaders([("Location", location)]))
    }

    /// `/a/b%2Fc/` -> `["a", "b/c", ""]`; nil when an escape is broken.
    static func decodedSegments(of path: String) -> [String]? {
        let utf8 = path.utf8
        var start = utf8.first == UInt8(ascii: "/") ? utf8.index(after: utf8.startIndex) : utf8.startIndex
        if start == utf8.endIndex { return [] }
        var segments: [String] = []
        while true {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "/")) ?? utf8.endIndex
            guard let segment = percentDecoded(path[start..<end]) else { return nil }
            segments.append(segment)
            if end == utf8.endIndex { return segments }
            start = utf8.index(after: end)
        }
    }
}
