import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Starting and stopping the worker binary: signals, sockets, bad settings.
@Suite(.serialized) struct WorkerLifecycleTests {
    /// The requirement is "under a second"; it is a matter of milliseconds.
    @Test func anIdleWorkerExitsPromptlyOnSIGTERM() throws {
        let stack = try Stack()
        #expect(try stack.get("/healthz").status == 200)
        let (status, took) = try stack.stopWorker(signal: SIGTERM)
        #expect(status == 0)
        #expect(took < .seconds(1))
        #expect(!FileManager.default.fileExists(atPath: stack.socketPath))
        #expect(stack.workerLog.contains("signal=SIGTERM"))
    }

    @Test func sigintStopsItToo() throws {
        let stack = try Stack()
        #expect(try stack.stopWorker(signal: SIGINT).status == 0)
    }

    /// A request whose body is still arriving when SIGTERM comes is finished, then the worker exits 0.
    @Test func sigtermDuringASlowRequestLetsItFinish() throws {
        let stack = try Stack()
        let client = try FastCGIClient(unixPath: stack.socketPath)
        try client.begin(params: FastCGIClient.params("GET", "/healthz", extra: ["CONTENT_LENGTH": "10"]))
        try client.sendBody(Array("12345".utf8))
        usleep(200_000)

        let worker = try #require(stack.worker)
        worker.send(SIGTERM)
        usleep(500_000)
        #expect(worker.isRunning, "the worker must wait for the request in flight")
        // New connections are refused meanwhile.
        #expect(throws: SocketError.self) { try TestSocket(unixPath: stack.socketPath) }

        try client.sendBody(Array("67890".utf8))
        try client.endBody()
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == #"{"status":"ok"}"#)
        let (status, _) = try stack.stopWorker(signal: 0)
        #expect(status == 0)
    }

    @Test func aSlowRequestPastTheShutdownTimeoutMakesTheExitStatusNonZero() throws {
        let stack = try Stack(workerArguments: ["--shutdown-timeout", "0.3"])
        let client = try FastCGIClient(unixPath: stack.socketPath)
        try client.begin(params: FastCGIClient.params("GET", "/healthz", extra: ["CONTENT_LENGTH": "10"]))
        usleep(200_000)
        let (status, _) = try stack.stopWorker(signal: SIGTERM)
        #expect(status == 1)
        #expect(stack.workerLog.contains("shutdown timeout passed"))
    }

    @Test func aSecondWorkerOnALiveSocketIsRefused() throws {
        let stack = try Stack()
        let (status, output) = try Stack.run(
            Stack.workerBinary, ["serve", "--listen", "unix:\(stack.socketPath)", "--database", stack.databasePath], environment: [:], check: false)
        #expect(status == 1)
        #expect(output.contains("another worker is already listening"))
        #expect(try stack.get("/healthz").status == 200)
    }

    @Test func aStaleSocketFromAKilledWorkerIsReplaced() throws {
        let stack = try Stack()
        #expect(try stack.stopWorker(signal: SIGKILL).status != 0)
        #expect(FileManager.default.fileExists(atPath: stack.socketPath))
        try stack.startWorker()
        #expect(try stack.get("/healthz").status == 200)
    }

    @Test(arguments: [
        ("COUPON_ADMIN_MAX_IN_FLIGHT", "many"), ("COUPON_ADMIN_LISTEN", "0.0.0.0:9000"), ("COUPON_ADMIN_SHUTDOWN_TIMEOUT", "-1"),
    ])
    func aBadSettingStopsStartUpNamingIt(variable: String, value: String) throws {
        let (status, output) = try Stack.run(Stack.workerBinary, ["serve"], environment: [variable: value], check: false)
        #expect(status == 78)
        #expect(output.contains(variable))
    }

    @Test func aBadFlagStopsStartUpNamingIt() throws {
        let (status, output) = try Stack.run(Stack.workerBinary, ["serve", "--socket-mode", "999"], environment: [:], check: false)
        #expect(status == 78)
        #expect(output.contains("--socket-mode"))
    }

    /// spawn-fcgi and systemd (`StandardInput=socket`) hand the worker its socket on fd 0.
    @Test func servesASocketInheritedOnFD0() throws {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("ca-fd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("inherited.sock").path
        let fd = try bindUnixSocket(at: path)
        listen(fd, 16)
        defer { close(fd) }

        let stack = try Stack()
        _ = try stack.stopWorker()
        let worker = try stack.startWorkerOnInheritedSocket(fd)
        let response = try FastCGIClient.send(to: path, params: FastCGIClient.params("GET", "/healthz"))
        #expect(response.status == 200)
        #expect(worker.isRunning)
        #expect(try stack.stopWorker().status == 0)
        #expect(FileManager.default.fileExists(atPath: path), "an inherited socket belongs to the parent")
    }

    /// spawn-fcgi itself, as the README's deployment section uses it.
    @Test func runsUnderSpawnFCGI() throws {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("ca-spawn-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("worker.sock").path
        let spawn = try ChildProcess("/usr/bin/spawn-fcgi", ["-n", "-s", path, "-M", "0660", "--", Stack.workerBinary, "serve", "--listen", "fd:0",
                                               "--database", directory.appendingPathComponent("coupon-admin.sqlite").path],
                                     outputPath: directory.appendingPathComponent("out.log").path)
        let started = ContinuousClock.now
        while (try? TestSocket(unixPath: path)) == nil, ContinuousClock.now - started < .seconds(20) { usleep(20_000) }
        let response = try FastCGIClient.send(to: path, params: FastCGIClient.params("GET", "/healthz"))
        #expect(response.status == 200)
        spawn.send(SIGTERM)
        #expect(spawn.wait(upTo: .seconds(20)) == 0)
    }
}
