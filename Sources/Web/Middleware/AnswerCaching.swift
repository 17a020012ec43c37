import FastCGI
import Storage

/// Gives again the `200` answers kept in `cache` (`AnswerCache`) to the same credentials asking for the
/// same path and query with the same `Accept` while `database` is unchanged, before anything is read; keeps the answers of
/// the others. For routes whose answer depends on nothing else of the request: it goes outside the
/// routes' authentication, whose answers are kept with them.
public struct AnswerCaching: RouteMiddleware {
    let cache: AnswerCache
    let database: AppDatabase
    let authenticator: (any Authenticator)?

    public init(_ cache: AnswerCache, of database: AppDatabase, authenticator: (any Authenticator)?) {
        self.cache = cache
        self.database = database
        self.authenticator = authenticator
    }

    public func respond(to context: RequestContext, next: @Sendable (RequestContext) async throws -> Response) async throws -> Response {
        let request = context.request
        // Taken before the route's snapshot begins, which then sees the database as of the stamp or later.
        guard let credentials = try authenticator?.credentialsDigest(for: request), let stamp = database.changeStamp() else {
            return try await next(context)
        }
        var target = request.query.isEmpty ? request.path : request.path + "?" + request.query
        if let accept = request.headers["Accept"] { target += "\nAccept: " + accept }
        let key = AnswerCache.Key(credentials: credentials, target: target)
        if let kept = cache.answer(for: key, at: stamp) { return kept }
        let response = try await next(context)
        // A streamed answer is written as it is read, never held, so it is not kept either.
        if response.stream == nil { cache.remember(response, for: key, readAfter: stamp) }
        return response
    }
}
