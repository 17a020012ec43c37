import FastCGI
import Logging

/// What a route handler gets: the request, the values of the pattern's `{parameters}`, and a logger
/// that carries the request id.
public struct RequestContext: Sendable {
    public let request: Request
    public let parameters: [String: String]
    public let logger: Logger

    public init(request: Request, parameters: [String: String] = [:], logger: Logger) {
        self.request = request
        self.parameters = parameters
        self.logger = logger
    }
}

public typealias RouteHandler = @Sendable (RequestContext) async throws -> Response
