import App
import Foundation
import Storage
import Synchronization
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What the issue asks of the sync when WeChat misbehaves, played with the sandbox behind a worker
/// behind nginx: requests come from outside, over HTTP.
@Suite(.serialized) struct WeChatScenarioTests {
    func create(_ stack: Stack, _ id: String) throws -> HTTPResponse {
        try Self.create(port: stack.port, key: stack.apiKey, id)
    }

    static func create(port: UInt16, key: String, _ id: String) throws -> HTTPResponse {
        try HTTPClient.request(
            port: port, "POST", "/api/v1/coupons", headers: ["Content-Type": "application/json", "Authorization": "Bearer \(key)"],
            body: Array(WeChatExample.directReduction(id: id).utf8)
        )
    }

    func coupon(_ stack: Stack, _ id: String) throws -> [String: Any] {
        try stack.get("/api/v1/coupons/\(id)").json()
    }

    func syncState(_ stack: Stack, _ id: String) throws -> String? {
        (try coupon(stack, id)["sync"] as? [String: Any])?["state"] as? String
    }

    func pendingCount(_ stack: Stack) throws -> Int {
        (try stack.get("/api/v1/coupons?sync_state=pending&limit=200").json()["coupons"] as? [Any])?.count ?? -1
    }

    /// Polls `condition` every 100 ms until it holds, or fails after `limit`.
    func waitUntil(_ what: String, within limit: Duration, _ condition: () throws -> Bool) throws {
        let started = ContinuousClock.now
        while try !condition() {
            guard ContinuousClock.now - started < limit else { throw StackError(description: "not within \(limit): \(what)") }
            usleep(100_000)
        }
    }

    /// Runs `body` on `count` threads at once and returns what each gave, in order.
    func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, any Error>] {
        let results = Mutex<[Result<T, any Error>?]>(Array(repeating: nil, count: count))
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                let result = Result { try body(index) }
                results.withLock { $0[index] = result }
                group.leave()
            }
            thread.stackSize = 256 * 1024
            thread.start()
        }
        group.wait()
        return results.withLock { $0.map { $0! } }
    }

    @Test func couponsCreatedWhileWeChatIsDownAreSyncedWhenItIsBackWithoutDuplicates() throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        try sandbox.faults(#"{"down":true}"#)
        for index in 1...10 {
            let response = try create(stack, "d\(index)")
            #expect(response.status == 202, "\(response.text)")
        }
        #expect(try pendingCount(stack) == 10)
        try sandbox.faults("{}")
        try waitUntil("every coupon synced by the background loop", within: .seconds(30)) { try pendingCount(stack) == 0 }
        let stats = try sandbox.stats()
        #expect(stats["coupons"] as? Int == 10)
        #expect(stats["repeated_adds"] as? Int == 0)

        let first = try coupon(stack, "d1")
        let sync = try #require(first["sync"] as? [String: Any])
        #expect(sync["state"] as? String == "synced")
        let attempts = try #require(sync["attempts"] as? [[String: Any]])
        #expect(attempts.count >= 2)
        #expect((attempts.first?["failure"] as? String)?.contains("HTTP 503") == true)
        #expect(attempts.last?["errcode"] as? Int == 0)
        #expect(attempts.allSatisfy { $0["at"] is Int && $0["duration_ms"] is Int && $0["endpoint"] is String })
    }

    @Test func everyAcknowledgedCouponIsSyncedAfterTheWorkerIsKilled() throws {
        let sandbox = try SandboxProcess()
        // A 6 s WeChat timeout: claims of a killed worker run out after 3 timeouts and 5 s, 23 s.
        let arguments = try sandbox.workerArguments() + ["--wechat-timeout", "6"]
        let stack = try Stack(workerArguments: arguments)
        #expect(try create(stack, "k0").status == 201)
        try sandbox.faults(#"{"down":true}"#)
        for index in 1...4 { #expect(try create(stack, "k\(index)").status == 202) }
        // WeChat takes the next two but answers after the worker is gone.
        try sandbox.faults(#"{"latency_ms":20000}"#)
        let (port, key) = (stack.port, stack.apiKey)
        let slow = concurrently(2) { index in try Self.create(port: port, key: key, "k\(5 + index)").status }
        #expect(slow.map { try? $0.get() } == [202, 202])
        let killed = try stack.stopWorker(signal: SIGKILL)
        #expect(killed.status == 128 + SIGKILL || killed.status == -SIGKILL || killed.status != 0)

        try sandbox.faults("{}")
        try stack.startWorker(arguments: arguments)
        try waitUntil("every coupon synced after the restart", within: .seconds(60)) {
            try (0...6).allSatisfy { try syncState(stack, "k\($0)") == "synced" }
        }
        let stats = try sandbox.stats()
        #expect(stats["coupons"] as? Int == 7)
        #expect(stats["repeated_adds"] as? Int == 0)
    }

    /// The attempt runs on the request's thread until the answer; past the deadline it must go on without it.
    @Test func aSyncPastItsDeadlineGoesOnAndRecordsItsOutcome() throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments() + ["--sync-deadline", "0.3"])
        try sandbox.faults(#"{"latency_ms":1000}"#)
        let created = try create(stack, "late")
        #expect(created.status == 202)
        #expect((try created.json()["sync"] as? [String: Any])?["state"] as? String == "pending")
        // The claim lasts 35 s, so nothing but the first attempt can sync it sooner.
        try waitUntil("the late attempt recorded as synced", within: .seconds(20)) { try syncState(stack, "late") == "synced" }
        let sync = try #require(try coupon(stack, "late")["sync"] as? [String: Any])
        let attempts = try #require(sync["attempts"] as? [[String: Any]])
        #expect(attempts.count == 1)
        #expect(attempts.first?["errcode"] as? Int == 0)
        #expect(try sandbox.stats()["coupons"] as? Int == 1)
    }

    @Test func slowWeChatHoldsUpNeitherHealthNorReads() throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        #expect(try create(stack, "s0").status == 201)
        func readTimes(_ rounds: Int) throws -> [Double] {
            var times: [Double] = []
            for _ in 0..<rounds {
                for path in ["/healthz", "/api/v1/coupons/s0"] {
                    let started = ContinuousClock.now
                    let status = try stack.get(path).status
                    times.append((ContinuousClock.now - started) / .seconds(1))
                    #expect(status == 200)
                }
            }
            return times
        }
        let before = try readTimes(20)

        try sandbox.faults(#"{"latency_ms":2000}"#)
        let (port, key) = (stack.port, stack.apiKey)
        let creating = Thread { _ = self.concurrently(200) { index in try Self.create(port: port, key: key, "s\(index + 1)").status } }
        creating.start()
        try waitUntil("200 creates waiting on WeChat", within: .seconds(10)) { try sandbox.calls("/shop/coupon/add") >= 150 }
        let during = try readTimes(20)
        try waitUntil("the creates answered", within: .seconds(30)) { try sandbox.stats()["coupons"] as? Int == 201 }

        let median = { (times: [Double]) in times.sorted()[times.count / 2] }
        print("reads: median \(median(before) * 1000) ms before, \(median(during) * 1000) ms with 200 creates waiting 2 s on WeChat; slowest \(during.max()! * 1000) ms")
        // A read queued behind the creates would take at least WeChat's 2 s.
        #expect(during.max()! < 1.0)
        #expect(median(during) < max(0.25, median(before) * 10))
    }

    @Test func fiveHundredConcurrentCreatesWithAnExpiredTokenMakeOneFetch() throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        let database = try AppDatabase(path: stack.databasePath)
        let tokenKey = Application.accessTokenKey(for: .init(appID: "wxsandbox", secret: "sandbox-secret"))
        let now = Date().timeIntervalSince1970
        try database.accessTokens.storeAccessToken(key: tokenKey, holder: "an earlier worker", value: "expired-token", expiresAt: now - 60, fetchedAt: now - 7260)

        let (port, key) = (stack.port, stack.apiKey)
        let statuses = concurrently(500) { index in try Self.create(port: port, key: key, "t\(index)").status }
        let answers = statuses.map { (try? $0.get()).map(String.init) ?? "\($0)" }
        #expect(answers.filter { $0 == "201" }.count == 500, "\(Dictionary(answers.map { ($0, 1) }, uniquingKeysWith: +))")
        #expect(try sandbox.calls("/cgi-bin/stable_token") == 1)
        #expect(try sandbox.calls("/shop/coupon/add") == 500)
    }

    @Test func twoWorkerProcessesOnOneDatabaseMakeOneTokenFetch() throws {
        let sandbox = try SandboxProcess()
        let arguments = try sandbox.workerArguments()
        let stack = try Stack(workerArguments: arguments)
        let secondSocket = stack.directory.appendingPathComponent("second.sock").path
        let second = try stack.launchWorker(listen: "unix:\(secondSocket)", arguments: arguments, log: "second-worker.log")
        defer {
            second.send(SIGTERM)
            _ = second.wait(upTo: .seconds(10))
        }
        try waitUntil("the second worker's socket", within: .seconds(20)) { (try? TestSocket(unixPath: secondSocket)) != nil }

        let (port, key) = (stack.port, stack.apiKey)
        let statuses = concurrently(100) { index in
            let body = Array(WeChatExample.directReduction(id: "w\(index)").utf8)
            if index % 2 == 0 { return try Self.create(port: port, key: key, "w\(index)").status }
            let params = FastCGIClient.params("POST", "/api/v1/coupons", body: body, extra: ["CONTENT_TYPE": "application/json", "HTTP_AUTHORIZATION": "Bearer \(key)"])
            return try FastCGIClient.send(to: secondSocket, params: params, body: body).status
        }
        #expect(statuses.compactMap { try? $0.get() }.filter { $0 == 201 }.count == 100)
        #expect(try sandbox.calls("/cgi-bin/stable_token") == 1)
    }

    @Test func refusedCredentialsDegradeHealthWithoutARetryStorm() throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments(secret: "a-wrong-secret"))
        for index in 1...20 {
            let response = try create(stack, "r\(index)")
            #expect(response.status == 202)
        }
        let health = try stack.get("/healthz").json()
        #expect(health["status"] as? String == "degraded")
        #expect((health["reason"] as? String)?.contains("40125") == true)
        let error = (try coupon(stack, "r20")["sync"] as? [String: Any])?["error"] as? String
        #expect(error?.contains("paused until") == true)
        // Three background passes later, still the one refused fetch.
        sleep(3)
        #expect(try sandbox.calls("/cgi-bin/stable_token") == 1)
        #expect(try stack.workerLogLines(containing: "WeChat calls paused").count == 1)
    }

    @Test func refreshAsksWeChatAndSyncRetriesOneCoupon() throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        #expect(try create(stack, "f1").status == 201)
        let token = try #require(try sandbox.stableToken()["access_token"] as? String)
        #expect(try sandbox.coupon("update_status", token: token, #"{"out_coupon_id":"f1","status":2}"#)["errcode"] as? Int == 0)

        let refreshed = try stack.get("/api/v1/coupons/f1?refresh=true")
        #expect(refreshed.status == 200)
        #expect((try refreshed.json()["coupon"] as? [String: Any])?["status"] as? Int == 2)
        #expect(try stack.get("/api/v1/coupons/f1?refresh=maybe").status == 400)
        try sandbox.faults(#"{"down":true}"#)
        let failed = try stack.get("/api/v1/coupons/f1?refresh=true")
        #expect(failed.status == 502)
        #expect((try failed.json()["detail"] as? String)?.contains("HTTP 503") == true)
        #expect((try coupon(stack, "f1")["coupon"] as? [String: Any])?["status"] as? Int == 2)
        try sandbox.faults("{}")

        try sandbox.faults(#"{"errcode":48001,"errcode_count":1}"#)
        #expect(try create(stack, "f2").status == 422)
        #expect(try syncState(stack, "f2") == "rejected")
        let retried = try stack.request("POST", "/api/v1/coupons/f2/sync")
        #expect(retried.status == 200, "\(retried.text)")
        #expect(try syncState(stack, "f2") == "synced")
        #expect(try stack.request("POST", "/api/v1/coupons/f2/sync").status == 200)
        #expect(try stack.request("POST", "/api/v1/coupons/nope/sync").status == 404)
        #expect(try sandbox.stats()["coupons"] as? Int == 2)
    }

    @Test func syncCommandSendsThePendingCouponsOnce() throws {
        let sandbox = try SandboxProcess()
        let stack = try Stack(workerArguments: try sandbox.workerArguments())
        try sandbox.faults(#"{"down":true}"#)
        for index in 1...3 { #expect(try create(stack, "p\(index)").status == 202) }
        _ = try stack.stopWorker()
        func sync() throws -> (status: Int32, output: String) {
            try Stack.run(Stack.workerBinary, ["sync", "--database", stack.databasePath], environment: sandbox.workerEnvironment(), check: false)
        }
        let whileDown = try sync()
        #expect(whileDown.status == 1)
        #expect(whileDown.output.contains("still pending: 3"), "\(whileDown.output)")
        try sandbox.faults("{}")
        let whenUp = try sync()
        #expect(whenUp.status == 0, "\(whenUp.output)")
        #expect(whenUp.output.contains("synced: 3") && whenUp.output.contains("still pending: 0"))
        #expect(try sandbox.stats()["coupons"] as? Int == 3)
    }
}
