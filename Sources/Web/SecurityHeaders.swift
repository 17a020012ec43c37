import FastCGI
import Logging

/// Adds the security headers of `nginx/coupon-admin-headers.conf` to the answers of a worker mounted under
/// a prefix in a site of the merchant's own. There nginx must not add them: an `add_header` in a location
/// cancels every header the site sets for it, HSTS among them. At the root of a server block of its own,
/// nginx adds them, to its own answers too, and the worker leaves them out.
public struct SecurityHeaders: Responder {
    /// The same names and values as `nginx/coupon-admin-headers.conf.in` (a test compares them).
    public static let fields: [(name: String, value: String)] = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Content-Security-Policy",
         "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    ]

    let answering: any Responder

    public init(around answering: any Responder) {
        self.answering = answering
    }

    public func respond(to request: Request, logger: Logger) async throws -> Response {
        var response = try await answering.respond(to: request, logger: logger)
        guard !request.mountPath.isEmpty else { return response }
        for (name, value) in Self.fields where response.headers[name] == nil {
            response.headers.add(name: name, value: value)
        }
        return response
    }
}
