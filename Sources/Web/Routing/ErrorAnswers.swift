import FastCGI

/// How an error is answered: the one place that decides between an HTML page (the admin pages) and
/// problem+json (the API).
enum ErrorAnswers {
    static func response(to error: HTTPError, for request: Request, session: StaffSessions.Current?) -> Response {
        isPage(request) ? Pages.error(error, for: request, session: session) : error.response(for: request)
    }

    /// 404 for a path no route owns.
    static func nothingHere(for request: Request) -> Response {
        response(to: HTTPError(status: 404, detail: "There is nothing at this path."), for: request, session: nil)
    }

    /// The admin pages answer errors with an HTML page, the API with problem+json.
    static func isPage(_ request: Request) -> Bool {
        request.path == "/admin" || request.path.hasPrefix("/admin/")
    }
}
