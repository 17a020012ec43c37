import Accounts
import FastCGI
import Storage
import Synchronization

/// Authenticates internal tools by `Authorization: Bearer KEY`, with keys from `coupon-admin keys create`.
public final class APIKeyAuthenticator: Authenticator {
    let database: AppDatabase
    let throttle: FailureThrottle
    let now: @Sendable () -> Int
    /// When this process last noted each key's use: many requests at once with one key make one write.
    private let noted = Mutex<[Int64: Int]>([:])

    /// `throttle` slows and then refuses an address that keeps sending keys that are not valid.
    public init(database: AppDatabase, throttle: FailureThrottle = FailureThrottle(), now: @escaping @Sendable () -> Int) {
        self.database = database
        self.throttle = throttle
        self.now = now
    }

    public func principal(for request: Request) throws -> Principal? {
        try principal(for: request, liveKey: database.accounts.liveAPIKey(hash:))
    }

    public func principal(for request: Request, in snapshot: any ReadSnapshot) throws -> Principal? {
        try principal(for: request, liveKey: snapshot.liveAPIKey(hash:))
    }

    /// The key's hash, as it is stored.
    public func credentialsDigest(for request: Request) throws -> String? {
        guard let authorization = request.headers["authorization"] else { return nil }
        try checkThrottle(Self.throttleKeys(request), now: now())
        return Self.bearerKey(in: authorization).map(APIKey.hash)
    }

    private func principal(for request: Request, liveKey: (String) throws -> StoredAPIKey?) throws -> Principal? {
        guard let authorization = request.headers["authorization"] else { return nil }
        let now = now()
        let address = Self.throttleKeys(request)
        try checkThrottle(address, now: now)
        guard let bearer = Self.bearerKey(in: authorization), let key = try liveKey(APIKey.hash(bearer)) else {
            throttle.recordFailure(address, now: now)
            throw Self.invalidKey
        }
        // The stored time settles it without the lock for all but the first requests of each minute.
        let due = (key.lastUsedAt ?? Int.min) < now - 60 && noted.withLock { noted in
            guard (noted[key.id] ?? Int.min) < now - 60 else { return false }
            noted[key.id] = now
            return true
        }
        if due { try database.accounts.noteAPIKeyUse(key, now: now) }
        return Principal(name: key.name, role: key.role)
    }

    /// What the failure throttle counts a request's bad keys against: its address.
    private static func throttleKeys(_ request: Request) -> [String] { ["address:" + request.remoteAddress] }

    private func checkThrottle(_ keys: [String], now: Int) throws {
        if let wait = throttle.retryAfter(keys, now: now) { throw HTTPError.tooManyAttempts(retryAfter: wait) }
    }

    /// The key of an `Authorization: Bearer KEY` value, when it has a key's shape.
    private static func bearerKey(in authorization: String) -> String? {
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", APIKey.looksLikeKey(String(parts[1])) else { return nil }
        return String(parts[1])
    }

    static let invalidKey = HTTPError(
        status: 401, detail: "The API key is not valid: mistyped, revoked, or never issued.",
        headers: HTTPHeaders([("WWW-Authenticate", #"Bearer error="invalid_token""#)])
    )
}
