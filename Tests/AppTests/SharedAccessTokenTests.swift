import Storage
import Synchronization
import TestSupport
import Testing
import WeChat
@testable import App

/// Counts fetches across every "process" of a test, as WeChat would see them.
final class CountingTokenSource: AccessTokenSource {
    private let count = Mutex(0)
    let delay: Duration

    init(delay: Duration = .milliseconds(100)) { self.delay = delay }

    var fetches: Int { count.withLock { $0 } }

    func fetchToken(forceRefresh: Bool) async throws -> (value: String, expiresIn: Int) {
        let number = count.withLock { count in
            count += 1
            return count
        }
        try await Task.sleep(for: delay)
        return ("token-\(number)", 7200)
    }
}

/// Worker processes sharing one database file, each with its own connection and claim holder.
@Suite struct SharedAccessTokenTests {
    let directory: TemporaryDirectory
    let source = CountingTokenSource()

    init() throws { directory = try TemporaryDirectory("ca-token") }

    func process(_ name: String, lease: Double = 15) throws -> AccessTokenProvider {
        let database = try AppDatabase(path: directory.path("coupons.sqlite"))
        let store = DatabaseAccessTokenStore(database: database, key: "wxappid:secret-hash", holder: name)
        return AccessTokenProvider(source: source, shared: store, claimLease: lease, pollInterval: .milliseconds(20), now: unixTimeWithFraction)
    }

    @Test func twoProcessesWithManyCallersMakeOneFetchBetweenThem() async throws {
        defer { directory.remove() }
        let processes = [try process("worker-1"), try process("worker-2")]
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<200 { group.addTask { try await processes[index % 2].token().value } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(values == ["token-1"])
        #expect(source.fetches == 1)
    }

    @Test func aRestartedProcessReusesTheStoredToken() async throws {
        defer { directory.remove() }
        let first = try await process("before-restart").token()
        #expect(try await process("after-restart").token() == first)
        #expect(source.fetches == 1)
    }

    @Test func aRefusedTokenIsDroppedForEveryProcessButANewerOneIsKept() async throws {
        defer { directory.remove() }
        let one = try process("worker-1")
        let two = try process("worker-2")
        let refused = try await one.token()
        await one.invalidate(refused)
        let fresh = try await two.token()
        #expect(fresh.value == "token-2")
        // worker-1 reports the old token again, late: the new one stays for everyone.
        await one.invalidate(refused)
        #expect(try await one.token() == fresh)
        #expect(source.fetches == 2)
    }

    @Test func aClaimLeftByADeadProcessRunsOutAndAnotherFetches() async throws {
        defer { directory.remove() }
        let database = try AppDatabase(path: directory.path("coupons.sqlite"))
        // A process claimed the fetch and was killed before storing a token.
        #expect(try database.accessTokens.claimAccessTokenFetch(key: "wxappid:secret-hash", holder: "killed", now: unixTimeWithFraction(), lease: 1, unlessStoredExpiresAfter: 0))
        let started = ContinuousClock.now
        #expect(try await process("survivor").token().value == "token-1")
        #expect(ContinuousClock.now - started >= .milliseconds(800))
        #expect(source.fetches == 1)
    }

    @Test func noClaimIsTakenOnceAnotherProcessHasStoredAFreshToken() throws {
        defer { directory.remove() }
        let database = try AppDatabase(path: directory.path("coupons.sqlite"))
        let key = "wxappid:secret-hash"
        // worker-2 looked, found nothing, and is about to claim; meanwhile worker-1 claimed, fetched and stored.
        #expect(try database.accessTokens.claimAccessTokenFetch(key: key, holder: "worker-1", now: 1000, lease: 15, unlessStoredExpiresAfter: 1000))
        try database.accessTokens.storeAccessToken(key: key, holder: "worker-1", value: "token-1", expiresAt: 8200, fetchedAt: 1001)
        #expect(try !database.accessTokens.claimAccessTokenFetch(key: key, holder: "worker-2", now: 1002, lease: 15, unlessStoredExpiresAfter: 1002))
        // Refreshing ahead wants a token lasting beyond the current one's end: that one does not count.
        #expect(try database.accessTokens.claimAccessTokenFetch(key: key, holder: "worker-2", now: 7950, lease: 15, unlessStoredExpiresAfter: 8200))
    }

    struct RefusingSource: AccessTokenSource {
        func fetchToken(forceRefresh: Bool) async throws -> (value: String, expiresIn: Int) {
            throw WeChatError(code: 40164, message: "invalid ip 10.0.0.1, not in whitelist")
        }
    }

    @Test func aFailedFetchIsRecordedForTokenStatusAndClearedByTheNextToken() async throws {
        defer { directory.remove() }
        let database = try AppDatabase(path: directory.path("coupons.sqlite"))
        let store = DatabaseAccessTokenStore(database: database, key: "k", holder: "h")
        let refusing = AccessTokenProvider(source: RefusingSource(), shared: store, now: unixTimeWithFraction)
        await #expect(throws: WeChatError.self) { _ = try await refusing.token() }
        let status = try #require(try database.accessTokens.accessTokenStatus(key: "k"))
        #expect(!status.hasToken)
        #expect(status.lastError == "WeChat errcode 40164: invalid ip 10.0.0.1, not in whitelist")
        #expect(status.claimedUntil == nil)

        let working = AccessTokenProvider(source: source, shared: store, now: unixTimeWithFraction)
        _ = try await working.token()
        let after = try #require(try database.accessTokens.accessTokenStatus(key: "k"))
        #expect(after.hasToken && after.lastError == nil && after.fetchedAt != nil)
    }

    @Test func theKeyIsTheAppIDAndAHashOfTheSecretNeverTheSecret() {
        let key = Application.accessTokenKey(for: .init(appID: "wx1", secret: "s3cret"))
        #expect(key == "wx1:1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0")  // sha256sum of "s3cret"
        #expect(key != Application.accessTokenKey(for: .init(appID: "wx1", secret: "other")))
    }
}
