import Synchronization
import Testing
@testable import WeChat

/// A token source that counts fetches, can be held up, and can fail.
final class FakeTokenSource: AccessTokenSource {
    private let state = Mutex<(fetches: Int, forced: [Bool], failing: Bool, delayMilliseconds: Int)>((0, [], false, 0))

    var fetches: Int { state.withLock { $0.fetches } }
    var forcedFlags: [Bool] { state.withLock { $0.forced } }
    func failing(_ failing: Bool) { state.withLock { $0.failing = failing } }
    func delay(milliseconds: Int) { state.withLock { $0.delayMilliseconds = milliseconds } }

    func fetchToken(forceRefresh: Bool) async throws -> (value: String, expiresIn: Int) {
        let (number, failing, delay) = state.withLock { state in
            state.fetches += 1
            state.forced.append(forceRefresh)
            return (state.fetches, state.failing, state.delayMilliseconds)
        }
        if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        if failing { throw WeChatError(code: -1, message: "system busy") }
        return ("token-\(number)", 7200)
    }
}

/// A clock the test moves by hand.
final class FakeClock: Sendable {
    private let seconds = Mutex<Double>(1_000_000)
    var now: Double { seconds.withLock { $0 } }
    func advance(_ by: Double) { seconds.withLock { $0 += by } }
}

@Suite struct AccessTokenProviderTests {
    let source = FakeTokenSource()
    let clock = FakeClock()
    var provider: AccessTokenProvider { AccessTokenProvider(source: source, now: { [clock] in clock.now }) }

    @Test func fiveHundredConcurrentCallersShareOneFetch() async throws {
        source.delay(milliseconds: 50)
        let provider = self.provider
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<500 { group.addTask { try await provider.token().value } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(values == ["token-1"])
        #expect(source.fetches == 1)
    }

    @Test func theTokenLastsExpiresInOnOurClock() async throws {
        let provider = self.provider
        let first = try await provider.token()
        #expect(first.expiresAt == clock.now + 7200)
        clock.advance(7200 - 301)
        #expect(try await provider.token() == first)
        #expect(source.fetches == 1)
    }

    @Test func underFiveMinutesLeftCallersKeepTheTokenWhileOneRefreshRunsAhead() async throws {
        let provider = self.provider
        let first = try await provider.token()
        source.delay(milliseconds: 100)
        clock.advance(7200 - 299)
        for _ in 0..<20 { #expect(try await provider.token() == first) }
        // The refresh lands in the background; then callers get the new token.
        var latest = first
        for _ in 0..<200 where latest == first {
            try await Task.sleep(for: .milliseconds(10))
            latest = try await provider.token()
        }
        #expect(latest.value == "token-2")
        #expect(source.fetches == 2)
    }

    @Test func anExpiredTokenIsFetchedAgainBeforeAnswering() async throws {
        let provider = self.provider
        _ = try await provider.token()
        clock.advance(7201)
        #expect(try await provider.token().value == "token-2")
    }

    @Test func invalidateDropsOnlyTheTokenThatFailed() async throws {
        let provider = self.provider
        let first = try await provider.token()
        await provider.invalidate(first)
        let second = try await provider.token()
        #expect(second.value == "token-2")
        // A caller that still held the first token reports it late: the second one stays.
        await provider.invalidate(first)
        #expect(try await provider.token() == second)
        #expect(source.fetches == 2)
    }

    @Test func aFailedFetchReachesEveryWaiterAndTheNextCallTriesAgain() async throws {
        source.failing(true)
        source.delay(milliseconds: 30)
        let provider = self.provider
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 { group.addTask { (try? await provider.token()) == nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 10)
        #expect(source.fetches == 1)
        #expect(await provider.lastError as? WeChatError == WeChatError(code: -1, message: "system busy"))
        source.failing(false)
        #expect(try await provider.token().value == "token-2")
        #expect(await provider.lastError == nil)
    }

    @Test func forceRefreshIsOnlyEverAskedForOnPurpose() async throws {
        let provider = self.provider
        _ = try await provider.token()
        clock.advance(7201)
        _ = try await provider.token()
        clock.advance(7200 - 299)
        _ = try await provider.token()
        try await Task.sleep(for: .milliseconds(50))
        #expect(!source.forcedFlags.contains(true))
        let forced = try await provider.forceRefresh()
        #expect(source.forcedFlags.last == true)
        #expect(try await provider.token() == forced)
    }
}
