import Storage
import WeChat

/// The shared access-token store in the app's database: one row per `key` (the appid and a hash of
/// the secret), claimed by one process at a time while it fetches.
public struct DatabaseAccessTokenStore: SharedAccessTokenStore {
    let database: AppDatabase
    let key: String
    /// Who holds a claim: this process (and this store, should a process make two).
    let holder: String

    public init(database: AppDatabase, key: String, holder: String) {
        self.database = database
        self.key = key
        self.holder = holder
    }

    public func storedToken() throws -> AccessToken? {
        try database.accessTokens.sharedAccessToken(key: key).map { AccessToken(value: $0.value, expiresAt: $0.expiresAt) }
    }

    public func claimFetch(now: Double, lease: Double, unlessStoredExpiresAfter storedExpiresAfter: Double) throws -> Bool {
        try database.accessTokens.claimAccessTokenFetch(key: key, holder: holder, now: now, lease: lease, unlessStoredExpiresAfter: storedExpiresAfter)
    }

    public func store(_ token: AccessToken) throws {
        try database.accessTokens.storeAccessToken(key: key, holder: holder, value: token.value, expiresAt: token.expiresAt, fetchedAt: unixTimeWithFraction())
    }

    public func releaseClaim(error: String) throws {
        try database.accessTokens.releaseAccessTokenClaim(key: key, holder: holder, error: error)
    }

    public func recordFailure(error: String) throws {
        try database.accessTokens.recordAccessTokenFailure(key: key, error: error)
    }

    public func discard(_ token: AccessToken) throws {
        try database.accessTokens.discardAccessToken(key: key, value: token.value)
    }
}
