import FastCGI
import Logging
import Storage

/// What a route handler gets: the request, the values of the pattern's `{parameters}`, who made the
/// request (nil on routes open to everyone; set by the group's authentication), and a logger that
/// carries the request id.
public struct RequestContext: Sendable {
    public let request: Request
    public let parameters: [String: String]
    public internal(set) var principal: Principal?
    /// On admin pages: the staff session, whose CSRF token every form must carry.
    public internal(set) var session: StaffSessions.Current?
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
