import Accounts
import FastCGI
import Storage

/// Lets through the API requests whose key has at least `role`, naming the key as the request's
/// principal: 401 without a key (or without an authenticator), 403 with too small a role. On a route
/// answered from a snapshot, the key is read in its read transaction.
public struct APIKeyAuthentication: SnapshotMiddleware {
    let authenticator: (any Authenticator)?
    let role: Role

    public init(_ authenticator: (any Authenticator)?, role: Role) {
        self.authenticator = authenticator
        self.role = role
    }

    public var access: Access? { .atLeast(role) }

    public func respond(to context: RequestContext, next: @Sendable (RequestContext) async throws -> Response) async throws -> Response {
        try await next(try authenticated(context) { try $0.principal(for: context.request) })
    }

    public func respond(
        to context: RequestContext, in snapshot: any ReadSnapshot, next: (RequestContext) throws -> SnapshotAnswer
    ) throws -> SnapshotAnswer {
        try next(try authenticated(context) { try $0.principal(for: context.request, in: snapshot) })
    }

    private func authenticated(_ context: RequestContext, _ principal: (any Authenticator) throws -> Principal?) throws -> RequestContext {
        var context = context
        context.principal = try authenticator.flatMap(principal)
        try Authorization.check(context.principal, has: role)
        return context
    }
}
