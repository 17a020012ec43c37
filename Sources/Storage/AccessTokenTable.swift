import GRDB

extension AppDatabase {
    /// WeChat's access tokens shared by the processes on this database, `access_token`, with the claim on fetching a new one.
    public struct AccessTokenTable: Sendable {
        let writer: any DatabaseWriter
    }
}

/// What `coupon-admin token status` shows: never the token itself.
public struct AccessTokenStatus: Sendable, Equatable {
    public var hasToken: Bool
    public var expiresAt: Double?
    public var fetchedAt: Double?
    public var lastError: String?
    public var claimedUntil: Double?

    /// True when no token can be had: the last fetch failed and no token valid at `now` is stored.
    public func isFailing(now: Double) -> Bool {
        lastError != nil && !(hasToken && (expiresAt ?? 0) > now)
    }
}

extension AppDatabase.AccessTokenTable {
    /// The WeChat access token shared by the worker processes using this database, under `key`
    /// (the appid and a hash of the secret, so a changed secret never reuses the old token).
    public func sharedAccessToken(key: String) throws -> (value: String, expiresAt: Double)? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT token, expires_at FROM access_token WHERE key = ? AND token IS NOT NULL", arguments: [key])
                .map { ($0["token"], $0["expires_at"]) }
        }
    }

    /// Takes the right to fetch a token for `lease` seconds, unless another holder's claim is still
    /// running, or a token that lasts beyond `storedExpiresAfter` is stored already (another process
    /// may have stored one since the caller last looked).
    public func claimAccessTokenFetch(key: String, holder: String, now: Double, lease: Double, unlessStoredExpiresAfter storedExpiresAfter: Double) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO access_token (key) VALUES (?)", arguments: [key])
            try db.execute(
                sql: """
                    UPDATE access_token SET claimed_by = ?, claimed_until = ?
                    WHERE key = ? AND (claimed_until IS NULL OR claimed_until <= ? OR claimed_by = ?)
                        AND (token IS NULL OR expires_at <= ?)
                    """,
                arguments: [holder, now + lease, key, now, holder, storedExpiresAfter]
            )
            return db.changesCount == 1
        }
    }

    /// Stores a fetched token and ends `holder`'s claim.
    public func storeAccessToken(key: String, holder: String, value: String, expiresAt: Double, fetchedAt: Double) throws {
        try writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO access_token (key, token, expires_at, fetched_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at,
                        fetched_at = excluded.fetched_at, last_error = NULL,
                        claimed_by = CASE WHEN claimed_by = ? THEN NULL ELSE claimed_by END,
                        claimed_until = CASE WHEN claimed_by = ? THEN NULL ELSE claimed_until END
                    """,
                arguments: [key, value, expiresAt, fetchedAt, holder, holder]
            )
        }
    }

    /// Ends `holder`'s claim without a token, recording why the fetch failed.
    public func releaseAccessTokenClaim(key: String, holder: String, error: String) throws {
        try writer.write { db in
            try db.execute(
                sql: "UPDATE access_token SET claimed_by = NULL, claimed_until = NULL, last_error = ? WHERE key = ? AND claimed_by = ?",
                arguments: [error, key, holder]
            )
        }
    }

    /// Records why a fetch made without a claim failed, whether or not a token was ever stored.
    public func recordAccessTokenFailure(key: String, error: String) throws {
        try writer.write { db in
            try db.execute(
                sql: "INSERT INTO access_token (key, last_error) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET last_error = excluded.last_error",
                arguments: [key, error]
            )
        }
    }

    public func accessTokenStatus(key: String) throws -> AccessTokenStatus? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT token IS NOT NULL AS has_token, expires_at, fetched_at, last_error, claimed_until FROM access_token WHERE key = ?", arguments: [key])
                .map { AccessTokenStatus(hasToken: $0["has_token"], expiresAt: $0["expires_at"], fetchedAt: $0["fetched_at"], lastError: $0["last_error"], claimedUntil: $0["claimed_until"]) }
        }
    }

    /// Forgets the token if it is still `value`: WeChat refused it, and a newer one must not be lost.
    public func discardAccessToken(key: String, value: String) throws {
        try writer.write { db in
            try db.execute(
                sql: "UPDATE access_token SET token = NULL, expires_at = NULL WHERE key = ? AND token = ?",
                arguments: [key, value]
            )
        }
    }
}
