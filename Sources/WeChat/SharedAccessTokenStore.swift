/// Where worker processes on one machine share their access token, so that N processes make one fetch
/// and a restarted process reuses a token that is still valid. The app keeps it in the SQLite database,
/// keyed by appid and a hash of the secret.
public protocol SharedAccessTokenStore: Sendable {
    /// The token some process stored last, if any.
    func storedToken() throws -> AccessToken?
    /// Claims the right to fetch a token for `lease` seconds. False while another process holds a claim
    /// that has not run out (that process is fetching, and its token will show up in `storedToken()`),
    /// or when a token lasting beyond `storedExpiresAfter` has been stored since the caller looked.
    func claimFetch(now: Double, lease: Double, unlessStoredExpiresAfter storedExpiresAfter: Double) throws -> Bool
    /// Stores a fetched token and gives up the claim.
    func store(_ token: AccessToken) throws
    /// Gives up the claim without a token: the fetch failed, for the reason given.
    func releaseClaim(error: String) throws
    /// Records why a fetch made without a claim (a forced refresh) failed.
    func recordFailure(error: String) throws
    /// Forgets `token` if it is still the stored one: WeChat refused it.
    func discard(_ token: AccessToken) throws
}
