import FastCGI
import Logging
import Storage

/// What a route handler gets: the request, the values of the pattern's `{parameters}`, who made the
/// request (nil on routes open to everyone), and a logger that carries the request id.
public struct RequestContext: Sendable {
    public let request: Request
    public let parameters: [String: String]
    public let principal: Principal?
    /// On admin pages: the staff session, whose CSRF token every form must carry.
    public let session: StaffSessions.Current?
    public let logger: Logger

    /// Who the audit log names for what this request does.
    public var actor: String { principal?.name ?? "unknown" }

    public init(
        request: Request, parameters: [String: String] = [:], principal: Principal? = nil, session: StaffSessions.Current? = nil, logger: Logger
    ) {
        self.request = request
        self.parameters = parameters
        self.principal = principal ?? session?.principal
        self.session = session
        self.logger = logger
    }
}

public typealias RouteHandler = @Sendable (RequestContext) async throws -> Response

/// A handler for a route that answers from one snapshot of the database, read together with the
/// request's API key (`Router.get(_:access:reading:remembering:handler:)`).
public typealias SnapshotHandler = @Sendable (RequestContext, AppDatabase.Snapshot) throws -> SnapshotAnswer

/// What a `SnapshotHandler` comes to.
public enum SnapshotAnswer: Sendable {
    /// The response, read from the snapshot.
    case response(Response)
    /// Work that cannot be done in a snapshot (a write, a call to WeChat), run once it has ended; it
    /// answers the request.
    case afterwards(@Sendable () async throws -> Response)
}
