/// An access token and the moment it stops being usable, in unix seconds on this machine's clock:
/// `expires_in` is counted from when the answer arrived, never from WeChat's own clock.
public struct AccessToken: Sendable, Equatable {
    public var value: String
    public var expiresAt: Double

    public init(value: String, expiresAt: Double) {
        self.value = value
        self.expiresAt = expiresAt
    }
}

/// Where tokens come from: `/cgi-bin/stable_token` (or `/cgi-bin/token`) over HTTP in production.
public protocol AccessTokenSource: Sendable {
    /// A token and its `expires_in` in seconds. `forceRefresh` kills the previous token at WeChat.
    func fetchToken(forceRefresh: Bool) async throws -> (value: String, expiresIn: Int)
}

/// The only code that knows about access tokens: it fetches, caches and refreshes them.
///
/// - One fetch at a time: callers that arrive while a fetch is under way wait for it and share its
///   token or its error.
/// - With less than `refreshMargin` left, the next caller starts a refresh in the background and
///   everyone keeps using the current token until the new one arrives.
/// - `invalidate(_:)` drops the cached token only if it is still the one that failed, so a caller
///   holding an older token never throws away a newer one.
/// - It never asks for `force_refresh` by itself; only `forceRefresh()` does (for a leaked token).
public actor AccessTokenProvider {
    private enum State {
        case empty
        case fetching(id: Int, Task<AccessToken, any Error>)
        case ready(AccessToken)
    }

    private let source: any AccessTokenSource
    private let now: @Sendable () -> Double
    private let refreshMargin: Double
    private var state = State.empty
    private var backgroundRefresh: Task<Void, Never>?
    private var nextFetchID = 0
    /// The last fetch that failed, for `token status` and `/healthz`; cleared by the next success.
    public private(set) var lastError: (any Error)?

    public init(source: any AccessTokenSource, refreshMargin: Double = 300, now: @escaping @Sendable () -> Double) {
        self.source = source
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// A token that is valid now.
    public func token() async throws -> AccessToken {
        switch state {
        case .ready(let token):
            let remaining = token.expiresAt - now()
            if remaining > refreshMargin { return token }
            if remaining > 0 {
                refreshInBackground()
                return token
            }
            return try await fetch(forceRefresh: false)
        case .fetching(_, let task):
            return try await task.value
        case .empty:
            return try await fetch(forceRefresh: false)
        }
    }

    /// Forgets `token` after WeChat refused it (40001, 40014, 42001), unless a newer one has taken its place.
    public func invalidate(_ token: AccessToken) {
        if case .ready(let current) = state, current == token { state = .empty }
    }

    /// Fetches with `force_refresh: true`, which ends the previous token at WeChat: for a leaked token only.
    public func forceRefresh() async throws -> AccessToken {
        try await fetch(forceRefresh: true)
    }

    private func fetch(forceRefresh: Bool) async throws -> AccessToken {
        if !forceRefresh, case .fetching(_, let task) = state { return try await task.value }
        nextFetchID += 1
        let id = nextFetchID
        let (source, now) = (self.source, self.now)
        let task = Task {
            let (value, expiresIn) = try await source.fetchToken(forceRefresh: forceRefresh)
            return AccessToken(value: value, expiresAt: now() + Double(expiresIn))
        }
        state = .fetching(id: id, task)
        do {
            let token = try await task.value
            finish(id, with: .success(token))
            return token
        } catch {
            finish(id, with: .failure(error))
            throw error
        }
    }

    /// Records a fetch's outcome, unless a later fetch has started since.
    private func finish(_ id: Int, with result: Result<AccessToken, any Error>) {
        guard case .fetching(let current, _) = state, current == id else { return }
        switch result {
        case .success(let token):
            state = .ready(token)
            lastError = nil
        case .failure(let error):
            state = .empty
            lastError = error
        }
    }

    private func refreshInBackground() {
        guard backgroundRefresh == nil else { return }
        backgroundRefresh = Task {
            do {
                let token = try await source.fetchToken(forceRefresh: false)
                refreshed(.success(AccessToken(value: token.value, expiresAt: now() + Double(token.expiresIn))))
            } catch {
                refreshed(.failure(error))
            }
        }
    }

    /// A background refresh that fails leaves the current token in place; the next caller tries again.
    private func refreshed(_ result: Result<AccessToken, any Error>) {
        backgroundRefresh = nil
        switch result {
        case .success(let token):
            if case .fetching = state { return }  // a blocking fetch is under way and will decide
            state = .ready(token)
            lastError = nil
        case .failure(let error):
            lastError = error
        }
    }
}
