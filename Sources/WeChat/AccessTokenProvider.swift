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
/// - With a `SharedAccessTokenStore`, processes take turns too: a process that needs a token first
///   looks in the store, then claims the fetch; while another process holds the claim it waits for
///   that process's token instead of fetching its own.
public actor AccessTokenProvider {
    private enum State {
        case empty
        case fetching(id: Int, Task<AccessToken, any Error>)
        case ready(AccessToken)
    }

    private let source: any AccessTokenSource
    private let shared: (any SharedAccessTokenStore)?
    private let now: @Sendable () -> Double
    private let refreshMargin: Double
    /// How long a process's claim to fetch lasts: longer than a fetch can take.
    private let claimLease: Double
    private let pollInterval: Duration
    private var state = State.empty
    private var backgroundRefresh: Task<Void, Never>?
    private var nextFetchID = 0
    /// The last fetch that failed, for `token status` and `/healthz`; cleared by the next success.
    public private(set) var lastError: (any Error)?

    public init(
        source: any AccessTokenSource, shared: (any SharedAccessTokenStore)? = nil, refreshMargin: Double = 300,
        claimLease: Double = 15, pollInterval: Duration = .milliseconds(50), now: @escaping @Sendable () -> Double
    ) {
        self.source = source
        self.shared = shared
        self.refreshMargin = refreshMargin
        self.claimLease = claimLease
        self.pollInterval = pollInterval
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
        try? shared?.discard(token)
    }

    /// Fetches with `force_refresh: true`, which ends the previous token at WeChat: for a leaked token only.
    public func forceRefresh() async throws -> AccessToken {
        try await fetch(forceRefresh: true)
    }

    private func fetch(forceRefresh: Bool) async throws -> AccessToken {
        if !forceRefresh, case .fetching(_, let task) = state { return try await task.value }
        nextFetchID += 1
        let id = nextFetchID
        let obtain = obtainer
        let task = Task {
            if forceRefresh { return try await obtain.forceFetchAndShare() }
            return try await obtain.waitOrFetch(newerThan: obtain.now())
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
        guard backgroundRefresh == nil, case .ready(let current) = state else { return }
        let obtain = obtainer
        backgroundRefresh = Task {
            do {
                refreshed(.success(try await obtain.fetchUnlessClaimed(newerThan: current.expiresAt)))
            } catch {
                refreshed(.failure(error))
            }
        }
    }

    private var obtainer: Obtainer {
        Obtainer(source: source, shared: shared, now: now, claimLease: claimLease, pollInterval: pollInterval)
    }

    /// A background refresh that fails leaves the current token in place; the next caller tries again.
    /// One that found another process refreshing (nil) leaves it too: that token will be in the store.
    private func refreshed(_ result: Result<AccessToken?, any Error>) {
        backgroundRefresh = nil
        switch result {
        case .success(nil):
            break
        case .success(let token?):
            if case .fetching = state { return }  // a blocking fetch is under way and will decide
            state = .ready(token)
            lastError = nil
        case .failure(let error):
            lastError = error
        }
    }
}

/// Gets a token from the shared store or WeChat, outside the actor so that waiting never blocks it.
private struct Obtainer: Sendable {
    let source: any AccessTokenSource
    let shared: (any SharedAccessTokenStore)?
    let now: @Sendable () -> Double
    let claimLease: Double
    let pollInterval: Duration

    /// A stored token that expires after `newerThan`, or one fetched under a claim; waits while
    /// another process holds the claim.
    func waitOrFetch(newerThan: Double) async throws -> AccessToken {
        guard let shared else { return try await fetchAndShare(forceRefresh: false) }
        while true {
            if let stored = try shared.storedToken(), stored.expiresAt > newerThan { return stored }
            if try shared.claimFetch(now: now(), lease: claimLease, unlessStoredExpiresAfter: newerThan) { return try await fetchUnderClaim(shared) }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// Like `waitOrFetch`, but returns nil instead of waiting when another process holds the claim.
    func fetchUnlessClaimed(newerThan: Double) async throws -> AccessToken? {
        guard let shared else { return try await fetchAndShare(forceRefresh: false) }
        if let stored = try shared.storedToken(), stored.expiresAt > newerThan { return stored }
        guard try shared.claimFetch(now: now(), lease: claimLease, unlessStoredExpiresAfter: newerThan) else { return nil }
        return try await fetchUnderClaim(shared)
    }

    /// A forced fetch, which takes no claim: whichever process forces one means it. Its failure is
    /// recorded in the shared store all the same, for `token status` and `status`.
    func forceFetchAndShare() async throws -> AccessToken {
        do {
            return try await fetchAndShare(forceRefresh: true)
        } catch {
            try? shared?.recordFailure(error: String(describing: error).redactingAccessTokens)
            throw error
        }
    }

    func fetchAndShare(forceRefresh: Bool) async throws -> AccessToken {
        let (value, expiresIn) = try await source.fetchToken(forceRefresh: forceRefresh)
        let token = AccessToken(value: value, expiresAt: now() + Double(expiresIn))
        try shared?.store(token)
        return token
    }

    private func fetchUnderClaim(_ shared: any SharedAccessTokenStore) async throws -> AccessToken {
        do {
            return try await fetchAndShare(forceRefresh: false)
        } catch {
            try? shared.releaseClaim(error: String(describing: error).redactingAccessTokens)
            throw error
        }
    }
}
