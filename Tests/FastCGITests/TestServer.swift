import FastCGI
import Synchronization
import Foundation
import Logging
import TestSupport

/// A responder made of a closure, for tests.
struct ClosureResponder: Responder {
    let body: @Sendable (Request) async throws -> Response

    func respond(to request: Request, logger: Logger) async throws -> Response {
        try await body(request)
    }
}

/// A server on a unix socket in a fresh temporary folder, with the handler the test gives.
final class TestServer: Sendable {
    let server: Server
    let directory: URL
    var socketPath: String { directory.appendingPathComponent("worker.sock").path }

    init(
        maxInFlight: Int = 8,
        maxBodyBytes: Int = 1 << 20,
        shutdownTimeout: Duration = .seconds(10),
        listen: ListenAddress? = nil,
        respond: @escaping @Sendable (Request) async throws -> Response = { _ in Response(status: 200, contentType: "text/plain", body: "ok") }
    ) throws {
        directory = try makeTemporaryDirectory()
        let configuration = ServerConfiguration(
            listen: listen ?? .unix(path: directory.appendingPathComponent("worker.sock").path),
            maxInFlight: maxInFlight,
            maxBodyBytes: maxBodyBytes,
            shutdownTimeout: shutdownTimeout
        )
        server = try Server(configuration: configuration, responder: ClosureResponder(body: respond), logger: quietLogger)
        server.start()
    }

    /// Asks for a shutdown and waits for the drain, off the cooperative pool.
    func stop() async throws -> Server.Outcome {
        try await stopTimed().outcome
    }

    /// Stops the server and says how long that took, timed on the stopping thread itself so that
    /// waiting for a test-runner thread afterwards does not count.
    func stopTimed() async throws -> (outcome: Server.Outcome, took: Duration) {
        let server = self.server
        return try await onOwnThread {
            let started = ContinuousClock.now
            server.shutdown()
            let outcome = server.waitUntilStopped()
            return (outcome, ContinuousClock.now - started)
        }
    }

    func send(_ method: String, _ uri: String, body: [UInt8] = [], extra: [String: String] = [:]) async throws -> CGIResponse {
        let path = socketPath
        return try await onOwnThread {
            try FastCGIClient.send(to: path, params: FastCGIClient.params(method, uri, body: body, extra: extra), body: body)
        }
    }
}

/// Tests that are not about logging keep the output readable.
let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

func makeTemporaryDirectory() throws -> URL {
    let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("coupon-admin-test-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Lets a test hold handlers until it decides, and count how many are waiting.
final class Gate: Sendable {
    private let state = Mutex(State())
    private struct State {
        var open = false
        var waiting = 0
        var mostWaiting = 0
    }

    var waiting: Int { state.withLock { $0.waiting } }
    var mostWaiting: Int { state.withLock { $0.mostWaiting } }

    func open() { state.withLock { $0.open = true } }

    /// Waits until the gate opens (or 4,000 polls, 20 s on an idle machine, so a broken test cannot hang).
    ///
    /// Both waits count polls, not seconds: other suites' blocking tests can hold Swift's cooperative
    /// threads, which wake these sleeps, for many seconds, and that time must not count as waiting.
    func pass() async {
        state.withLock {
            $0.waiting += 1
            $0.mostWaiting = max($0.mostWaiting, $0.waiting)
        }
        for _ in 0..<4_000 {
            if state.withLock({ $0.open }) { break }
            try? await Task.sleep(for: .milliseconds(5))
        }
        state.withLock { $0.waiting -= 1 }
    }

    /// Polls until `condition` holds, or 2,000 polls (20 s on an idle machine) pass.
    static func eventually(_ condition: @Sendable () -> Bool) async -> Bool {
        for _ in 0..<2_000 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
