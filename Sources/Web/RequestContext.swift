import FastCGI
import Logging

/// What a route handler gets: the request, the values of the pattern's `{parameters}`, who made the
/// request (nil on routes open to everyone), and a logger that carries the request id.
public struct RequestContext: Sendable {
    public let request: Request
    public let parameters: [String: String]
    public let principal: Principal?
    public let logger: Logger

    public init(request: Request, parameters: [String: String] = [:], principal: Principal? = nil, logger: Logger) {
        self.request = request
        self.parameters = parameters
        self.principal = principal
        self.logger = logger
    }
}

public typealias RouteHandler = @Sendable (RequestContext) async throws -> Response
