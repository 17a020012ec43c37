import FastCGI
import Logging
import Storage

/// Picks a route by method and path, and only that: who may use a route, CSRF, snapshot reads and
/// the answer cache are the middleware its group declares (`group(_:routes:)`), and an error becomes a
/// page or a problem in `ErrorAnswers`. Unknown paths answer 404, known paths with another method 405
/// with `Allow`; a path with a trailing slash redirects to the route without it. `HEAD` is answered by
/// the `GET` handler.
public struct Router: Responder {
    private struct Route: Sendable {
        let method: String
        let pattern: RoutePattern
        let access: Access
        /// The handler inside its group's middleware.
        let respond: RouteHandler
        let timers: RequestTimers
    }

    private var routes: [Route] = []
    /// The same routes by their number of segments: a path is compared only with patterns of its length.
    private var routesBySegmentCount: [Int: [Route]] = [:]
    /// One route label per pattern, shared by its methods.
    private var timersByPattern: [String: RequestTimers] = [:]
    /// Paths no route owns, whatever they are: one label, `unmatched`.
    private let unmatchedTimers = RequestTimers(route: "unmatched")

    public init() {}

    /// Adds the routes `declare` lists, each wrapped in `middleware`, the first outermost. A route's
    /// access is what its group's authentication says, or `.everyone` in a group without one.
    ///
    /// For a route answered from a snapshot, the `SnapshotMiddleware` among them run inside its read
    /// transaction, after the others.
    public mutating func group(_ middleware: any RouteMiddleware..., routes declare: (inout RouteGroup) -> Void) {
        group(middleware, routes: declare)
    }

    public mutating func group(_ middleware: [any RouteMiddleware], routes declare: (inout RouteGroup) -> Void) {
        var group = RouteGroup()
        declare(&group)
        let access = middleware.compactMap(\.access).last ?? .everyone
        for (method, pattern, handler) in group.routes {
            let respond: RouteHandler
            switch handler {
            case .async(let handler):
                respond = Self.wrap(handler, in: middleware)
            case .snapshot(let database, let handler):
                let inside = middleware.compactMap { $0 as? any SnapshotMiddleware }
                let outside = middleware.filter { !($0 is any SnapshotMiddleware) }
                respond = Self.wrap(Self.readingSnapshot(of: database, through: inside, handler), in: outside)
            }
            add(method, pattern, access: access, respond: respond)
        }
    }

    private static func wrap(_ handler: @escaping RouteHandler, in middleware: [any RouteMiddleware]) -> RouteHandler {
        var chain = handler
        for middleware in middleware.reversed() {
            let next = chain
            chain = { context in try await middleware.respond(to: context, next: next) }
        }
        return chain
    }

    /// Runs `handler` behind `middleware` in one read transaction, then any work it leaves for afterwards.
    private static func readingSnapshot(
        of database: any SnapshotReading, through middleware: [any SnapshotMiddleware], _ handler: @escaping SnapshotHandler
    ) -> RouteHandler {
        var chain: SnapshotHandler = handler
        for middleware in middleware.reversed() {
            let next = chain
            chain = { context, snapshot in try middleware.respond(to: context, in: snapshot) { try next($0, snapshot) } }
        }
        return { [chain] context in
            switch try database.read({ try chain(context, $0) }) {
            case .response(let response): return response
            case .afterwards(let work): return try await work()
            }
        }
    }

    private mutating func add(_ method: String, _ pattern: String, access: Access, respond: @escaping RouteHandler) {
        let pattern = RoutePattern(pattern)
        precondition(
            !routes.contains { $0.method == method && $0.pattern == pattern },
            "route \(method) \(pattern) registered twice"
        )
        let timers = timersByPattern[pattern.description] ?? RequestTimers(route: pattern.description)
        timersByPattern[pattern.description] = timers
        let route = Route(method: method, pattern: pattern, access: access, respond: respond, timers: timers)
        routes.append(route)
        routesBySegmentCount[pattern.segments.count, default: []].append(route)
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
            do {
                return try await route.respond(RequestContext(request: request, parameters: parameters, logger: logger))
            } catch let error as HTTPError {
                return ErrorAnswers.response(to: error, for: request, session: nil)
            }
        }
        var allowed = Set(owning.map(\.route.method))
        if allowed.isEmpty {
            return redirectWithoutTrailingSlash(request, segments: segments) ?? ErrorAnswers.nothingHere(for: request)
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
