import Accounts
import FastCGI
import Foundation
import Logging
import Storage
import Synchronization
import TestSupport
import Testing
@testable import Web

/// Routes answered from a snapshot with an `AnswerCache`, on a real database file, with real API keys.
@Suite struct AnswerCacheTests {
    let logger = Logger(label: "test")

    /// A database with a viewer key, and a router whose `/counted` route counts the times its handler runs.
    final class Setup: Sendable {
        let directory: TemporaryDirectory
        let database: AppDatabase
        /// Another connection to the same file, as another process has.
        let elsewhere: AppDatabase
        let key: String
        let counters = Counters()
        let cache: AnswerCache
        let router: Router

        init(maximumBytes: Int = 1 << 20) throws {
            directory = try TemporaryDirectory("ca-answers")
            database = try AppDatabase(path: directory.path("answers.sqlite"))
            elsewhere = try AppDatabase(path: directory.path("answers.sqlite"))
            let (key, hash) = APIKey.generate()
            self.key = key
            try database.accounts.addAPIKey(name: "tool", role: .viewer, keyHash: hash, actor: "test", now: 1_000)
            let counters = counters
            let now: @Sendable () -> Int = { counters.clock.load(ordering: .relaxed) }
            cache = AnswerCache(maximumBytes: maximumBytes, now: now)
            let database = database, cache = cache
            let services = WebServices(database: database, answerCache: cache, authenticator: APIKeyAuthenticator(database: database, now: now), now: now)
            var router = Router()
            router.group(services.cachedReads(.viewer)) { viewers in
                viewers.get("/counted/{name}", reading: database) { context, _ in
                    let count = counters.handled.add(1, ordering: .relaxed).newValue
                    let name = context.parameters["name"] ?? ""
                    guard name != "missing" else { throw HTTPError(status: 404) }
                    return .response(Response(status: 200, contentType: "text/plain", body: "\(name) \(context.request.query) #\(count) " + String(repeating: "x", count: 300)))
                }
            }
            self.router = router
        }

        deinit { directory.remove() }

        /// The handler's runs so far.
        var runs: Int { counters.handled.load(ordering: .relaxed) }

        func advanceClock(by seconds: Int) { counters.clock.add(seconds, ordering: .relaxed) }

        func request(_ path: String, query: String = "", method: String = "GET", key: String? = nil) -> Request {
            Request(
                method: method, path: path, query: query,
                headers: HTTPHeaders([("Authorization", "Bearer " + (key ?? self.key))]), remoteAddress: "192.0.2.1")
        }

        /// The key's first use is written down: a commit, after which the answers read before it are dropped.
        func noteTheKeysFirstUse() async throws {
            let response = try await router.respond(to: request("/counted/missing"), logger: Logger(label: "test"))
            #expect(response.status == 404)
        }

        func commitElsewhere() throws {
            let (_, hash) = APIKey.generate()
            try elsewhere.accounts.addAPIKey(name: "other-\(UUID().uuidString)", role: .viewer, keyHash: hash, actor: "test", now: 1_000)
        }
    }

    final class Counters: Sendable {
        let clock = Atomic<Int>(1_000)
        let handled = Atomic<Int>(0)
    }

    @Test func aKeptAnswerIsGivenAgainWithoutTheHandlerUntilAnyConnectionCommits() async throws {
        let setup = try Setup()
        try await setup.noteTheKeysFirstUse()
        let first = try await setup.router.respond(to: setup.request("/counted/a"), logger: logger)
        #expect(first.status == 200 && setup.runs == 2)
        let again = try await setup.router.respond(to: setup.request("/counted/a"), logger: logger)
        #expect(again.body == first.body && setup.runs == 2)
        #expect(try await setup.router.respond(to: setup.request("/counted/a", method: "HEAD"), logger: logger).status == 200)
        #expect(setup.runs == 2)

        _ = try await setup.router.respond(to: setup.request("/counted/a", query: "x=1"), logger: logger)
        _ = try await setup.router.respond(to: setup.request("/counted/b"), logger: logger)
        #expect(setup.runs == 4, "another query, another path: answered afresh")

        try setup.commitElsewhere()
        let afterCommit = try await setup.router.respond(to: setup.request("/counted/a"), logger: logger)
        #expect(setup.runs == 5 && afterCommit.body != first.body)
        #expect(setup.cache.count.answers == 1, "the commit dropped the answers read before it")
    }

    @Test func eachKeyHasItsOwnAnswersAndAKeyRevokedElsewhereIsRefusedAtOnce() async throws {
        let setup = try Setup()
        let (other, otherHash) = APIKey.generate()
        try setup.database.accounts.addAPIKey(name: "second", role: .viewer, keyHash: otherHash, actor: "test", now: 1_000)
        _ = try await setup.router.respond(to: setup.request("/counted/a"), logger: logger)
        _ = try await setup.router.respond(to: setup.request("/counted/a", key: other), logger: logger)
        #expect(setup.runs == 2)
        let (unknown, _) = APIKey.generate()
        #expect(try await setup.router.respond(to: setup.request("/counted/a", key: unknown), logger: logger).status == 401)

        #expect(try setup.elsewhere.accounts.revokeAPIKey(name: "tool", actor: "test", now: 1_001))
        #expect(try await setup.router.respond(to: setup.request("/counted/a"), logger: logger).status == 401)
        #expect(try await setup.router.respond(to: setup.request("/counted/a", key: other), logger: logger).status == 200)
    }

    @Test func onlySuccessesAreKeptAndAnAnswerPastItsAgeIsReadAgain() async throws {
        let setup = try Setup()
        try await setup.noteTheKeysFirstUse()
        try await setup.noteTheKeysFirstUse()
        #expect(setup.runs == 2, "a 404 is not kept")
        _ = try await setup.router.respond(to: setup.request("/counted/a"), logger: logger)
        setup.advanceClock(by: 59)
        _ = try await setup.router.respond(to: setup.request("/counted/a"), logger: logger)
        #expect(setup.runs == 3)
        setup.advanceClock(by: 1)
        _ = try await setup.router.respond(to: setup.request("/counted/a"), logger: logger)
        #expect(setup.runs == 4, "60 seconds old: read again, so that the key's use is noted")
    }

    @Test func answersPastTheBudgetAreNotKept() async throws {
        let setup = try Setup(maximumBytes: 1_000)  // room for one answer of about 700 bytes as counted
        try await setup.noteTheKeysFirstUse()
        _ = try await setup.router.respond(to: setup.request("/counted/a"), logger: logger)
        _ = try await setup.router.respond(to: setup.request("/counted/b"), logger: logger)
        _ = try await setup.router.respond(to: setup.request("/counted/b"), logger: logger)
        _ = try await setup.router.respond(to: setup.request("/counted/a"), logger: logger)
        #expect(setup.runs == 4, "a kept, b answered afresh each time")
        #expect(setup.cache.count.answers == 1 && setup.cache.count.bytes <= 1_000)
    }

    @Test func anAddressThatSentTooManyBadKeysIsRefusedEvenForAKeptAnswer() async throws {
        let setup = try Setup()
        _ = try await setup.router.respond(to: setup.request("/counted/a"), logger: logger)
        var refused = false
        for _ in 1...10 where !refused {
            let (bad, _) = APIKey.generate()
            refused = try await setup.router.respond(to: setup.request("/counted/a", key: bad), logger: logger).status == 429
        }
        #expect(refused)
        #expect(try await setup.router.respond(to: setup.request("/counted/a"), logger: logger).status == 429)
    }
}
