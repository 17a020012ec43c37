import Foundation
import Synchronization
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The operator's tools on the live database while the worker is under load (the README's backups among
/// them: `.backup` and `VACUUM INTO`): whatever else opens the
/// database, the worker stays up and answers every request.
@Suite(.serialized) struct SharedDatabaseTests {
    @Test func theCommandLineBackupsAndASecondWorkerOpenTheLiveDatabaseAgainAndAgain() throws {
        let stack = try Stack()
        let database = stack.databasePath
        let load = MixedLoad(stack: stack)
        load.start(threads: 6)
        defer { load.stop() }

        // The sync pass reaches no WeChat (nothing listens on port 1); it opens the database all the same.
        var syncEnvironment = ProcessInfo.processInfo.environment
        syncEnvironment.merge([
            "COUPON_ADMIN_WECHAT_APPID": "wxtools", "COUPON_ADMIN_WECHAT_SECRET": "secret",
            "COUPON_ADMIN_WECHAT_API_BASE": "http://127.0.0.1:1", "COUPON_ADMIN_WECHAT_CONNECT_TIMEOUT": "0.2",
        ]) { $1 }
        var toolOutput = ""
        for round in 1...8 {
            toolOutput += try Stack.run(Stack.workerBinary, ["users", "list", "--database", database]).output
            toolOutput += try Stack.run(Stack.workerBinary, ["keys", "list", "--database", database]).output
            // With hundreds of coupons pending it could go on for a while: a second is enough to have opened the database.
            let syncLog = stack.directory.appendingPathComponent("sync.log").path
            let sync = try ChildProcess(Stack.workerBinary, ["sync", "--database", database], environment: syncEnvironment, outputPath: syncLog)
            if sync.wait(upTo: .seconds(1)) == nil {
                sync.send(SIGTERM)
                _ = sync.wait(upTo: .seconds(10))
            }
            let backup = stack.directory.appendingPathComponent("backup-\(round).sqlite").path
            toolOutput += try Stack.run("/usr/bin/sqlite3", [database, ".backup '\(backup)'"]).output
            #expect(try Stack.run("/usr/bin/sqlite3", [backup, "PRAGMA integrity_check"]).output == "ok\n")
            let vacuumed = stack.directory.appendingPathComponent("vacuumed-\(round).sqlite").path
            toolOutput += try Stack.run("/usr/bin/sqlite3", [database, "VACUUM INTO '\(vacuumed)'"]).output
            #expect(try Stack.run("/usr/bin/sqlite3", [vacuumed, "PRAGMA integrity_check"]).output == "ok\n")

            let socket = stack.directory.appendingPathComponent("second-\(round).sock").path
            let second = try stack.launchWorker(listen: "unix:\(socket)", arguments: [], log: "second-worker.log")
            var answered: CGIResponse?
            for _ in 0..<200 where answered == nil {
                answered = try? FastCGIClient.send(to: socket, params: FastCGIClient.params("GET", "/healthz"))
                if answered == nil { usleep(20_000) }
            }
            #expect(answered?.status == 200, "the second worker answered \(String(describing: answered))")
            second.send(SIGTERM)
            #expect(second.wait(upTo: .seconds(10)) == 0)
        }
        let outcome = load.stop()
        toolOutput += (try? String(contentsOfFile: stack.directory.appendingPathComponent("sync.log").path, encoding: .utf8)) ?? ""

        #expect(stack.worker?.isRunning == true)
        #expect(outcome.answered > 50)
        #expect(outcome.failures.isEmpty, "\(outcome.failures.prefix(5))")
        #expect(!toolOutput.contains("locking protocol"), "\(toolOutput)")
        #expect(!stack.workerLog.contains("crashed"), "\(stack.workerLog.suffix(2000))")
        #expect(try Stack.run("/usr/bin/sqlite3", [database, "PRAGMA integrity_check"]).output == "ok\n")
    }
}

/// GETs by id, lists and creates through nginx from a few threads, until stopped: what was answered,
/// and every answer that was not a success.
final class MixedLoad: Sendable {
    struct Outcome {
        var answered = 0
        var failures: [String] = []
    }

    private let port: UInt16
    private let apiKey: String
    private let outcome = Mutex(Outcome())
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Int>(0)

    init(stack: Stack) {
        port = stack.port
        apiKey = stack.apiKey
    }

    func start(threads: Int) {
        for thread in 0..<threads {
            running.add(1, ordering: .sequentiallyConsistent)
            Thread.detachNewThread { [self] in
                var index = 0
                while !stopping.load(ordering: .sequentiallyConsistent) {
                    index += 1
                    let id = "load-\(thread)-\(index)"
                    send("POST", "/api/v1/coupons", body: Array(WeChatExample.directReduction(id: id, name: "负载", fee: 100).utf8), expecting: [201, 202])
                    send("GET", "/api/v1/coupons/\(id)", expecting: [200])
                    send("GET", "/api/v1/coupons?limit=20", expecting: [200])
                }
                running.subtract(1, ordering: .sequentiallyConsistent)
            }
        }
    }

    /// Stops the threads, waits for them, and says how it went; again, the same.
    @discardableResult
    func stop() -> Outcome {
        stopping.store(true, ordering: .sequentiallyConsistent)
        while running.load(ordering: .sequentiallyConsistent) > 0 { usleep(10_000) }
        return outcome.withLock { $0 }
    }

    private func send(_ method: String, _ path: String, body: [UInt8] = [], expecting: Set<Int>) {
        var headers = ["Authorization": "Bearer \(apiKey)"]
        if !body.isEmpty { headers["Content-Type"] = "application/json" }
        let result = Result { try HTTPClient.request(port: port, method, path, headers: headers, body: body) }
        outcome.withLock { outcome in
            outcome.answered += 1
            switch result {
            case .success(let response) where expecting.contains(response.status): break
            case .success(let response): outcome.failures.append("\(method) \(path): \(response.status) \(response.text.prefix(200))")
            case .failure(let error): outcome.failures.append("\(method) \(path): \(error)")
            }
        }
    }
}
