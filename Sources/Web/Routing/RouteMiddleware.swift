import FastCGI
import Storage

/// Wraps the handlers of a group of routes (`Router.group`): it may answer by itself (refuse, send to
/// the login page, give a kept answer) or pass the request on to `next`, with what it learnt (who is
/// asking) in the context.
public protocol RouteMiddleware: Sendable {
    /// Who may use the routes it wraps, when it decides that (authentication); nil otherwise.
    var access: Access? { get }

    func respond(to context: RequestContext, next: @Sendable (RequestContext) async throws -> Response) async throws -> Response
}

extension RouteMiddleware {
    public var access: Access? { nil }
}

/// A middleware that also works inside the read transaction of a route answered from one snapshot of
/// the database (`RouteGroup.get(_:reading:_:)`): whatever it reads, it reads there too.
public protocol SnapshotMiddleware: RouteMiddleware {
    func respond(
        to context: RequestContext, in snapshot: any ReadSnapshot, next: (RequestContext) throws -> SnapshotAnswer
    ) throws -> SnapshotAnswer
}

public typealias RouteHandler = @Sendable (RequestContext) async throws -> Response

/// A handler for a route that answers from one snapshot of the database, read in the same read
/// transaction as the request's API key.
public typealias SnapshotHandler = @Sendable (RequestContext, any ReadSnapshot) throws -> SnapshotAnswer

/// What a `SnapshotHandler` comes to.
public enum SnapshotAnswer: Sendable {
    /// The response, read from the snapshot.
    case response(Response)
    /// Work that cannot be done in a snapshot (a write, a call to WeChat), run once it has ended; it
    /// answers the request.
    case afterwards(@Sendable () async throws -> Response)
}

/// The routes of one group, as a controller declares them; `Router.group` wraps each in the group's middleware.
public struct RouteGroup {
    enum Handler {
        case async(RouteHandler)
        case snapshot(any SnapshotReading, SnapshotHandler)
    }

    private(set) var routes: [(method: String, pattern: String, handler: Handler)] = []

    public mutating func get(_ pattern: String, _ handler: @escaping RouteHandler) {
        routes.append(("GET", pattern, .async(handler)))
    }

    /// A `GET` route answered from one snapshot of `database`: the group's `SnapshotMiddleware` (the API
    /// key's check) and the handler read in one read transaction.
    public mutating func get(_ pattern: String, reading database: any SnapshotReading, _ handler: @escaping SnapshotHandler) {
        routes.append(("GET", pattern, .snapshot(database, handler)))
    }

    public mutating func post(_ pattern: String, _ handler: @escaping RouteHandler) {
        routes.append(("POST", pattern, .async(handler)))
    }

    public mutating func put(_ pattern: String, _ handler: @escaping RouteHandler) {
        routes.append(("PUT", pattern, .async(handler)))
    }
}
