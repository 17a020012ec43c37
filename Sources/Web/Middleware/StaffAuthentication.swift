import Accounts
import FastCGI

/// Lets through the admin-page requests of a live staff session of at least `role`, naming its account
/// as the principal. A request without a session is sent to the login page, and back after it; one
/// whose role is too small gets the 403 page. Errors of the routes inside become pages that show the
/// session's account.
public struct StaffAuthentication: RouteMiddleware {
    let sessions: StaffSessions
    let role: Role

    public init(_ sessions: StaffSessions, role: Role) {
        self.sessions = sessions
        self.role = role
    }

    public var access: Access? { .staff(role) }

    public func respond(to context: RequestContext, next: @Sendable (RequestContext) async throws -> Response) async throws -> Response {
        guard let session = try sessions.current(for: context.request) else { return Self.redirectToLogin(context.request) }
        var context = context
        context.session = session
        context.principal = session.principal
        do {
            try Authorization.check(session.principal, has: role)
            return try await next(context)
        } catch let error as HTTPError {
            return ErrorAnswers.response(to: error, for: context.request, session: session)
        }
    }

    /// A page asked for without a session: to the login page, and back after it.
    static func redirectToLogin(_ request: Request) -> Response {
        Response(status: 303, headers: HTTPHeaders([("Location", request.url(for: "/admin/login") + "?next=" + Pages.encodedBackLink(request))]))
    }
}

/// Refuses a change (any method but `GET` and `HEAD`) that does not carry the staff session's CSRF
/// token, as the form field `csrf_token` (in a URL-encoded or a multipart form) or the header `X-CSRF-Token`. Goes inside `StaffAuthentication`.
public struct CSRFProtection: RouteMiddleware {
    public init() {}

    public func respond(to context: RequestContext, next: @Sendable (RequestContext) async throws -> Response) async throws -> Response {
        let request = context.request
        if request.method != "GET", request.method != "HEAD" {
            guard let session = context.session, let sent = Self.token(in: request),
                  constantTimeEqual(Array(sent.utf8), Array(session.csrfToken.utf8))
            else {
                var error = HTTPError(status: 403, detail: "The form's security token is missing or out of date; reload the page and try again.")
                error.pageMessage = "error.csrf"
                throw error
            }
        }
        return try await next(context)
    }

    private static func token(in request: Request) -> String? {
        if let header = request.headers["x-csrf-token"] { return header }
        if let form = MultipartForm(contentType: request.headers["content-type"], body: request.body) {
            return form["csrf_token"].map { String(decoding: $0.content, as: UTF8.self) }
        }
        guard request.hasFormBody else { return nil }
        var sent: String?
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") where pair.hasPrefix("csrf_token=") {
            sent = QueryParameters.decode(pair.dropFirst("csrf_token=".count))
        }
        return sent
    }
}
