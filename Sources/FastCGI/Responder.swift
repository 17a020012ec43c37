import Logging

/// Answers requests. The server runs each call in its own task, so a responder that waits on a slow
/// upstream holds up only its own request.
public protocol Responder: Sendable {
    /// `logger` carries the request id. A thrown error becomes a 500 problem response.
    func respond(to request: Request, logger: Logger) async throws -> Response
}
