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
        clientTimeout: Duration = .seconds(10),
        listen: ListenAddress? = nil,
        respond: @escaping @Sendable (Request) async throws -> Response = { _ in Response(status: 200, contentType: "text/plain", body: "ok") }
    ) throws {
        directory = try makeTemporaryDirectory()
        let configuration = ServerConfiguration(
            listen: listen ?? .unix(path: directory.appendingPathComponent("worker.sock").path),
            maxInFlight: maxInFlight,
            maxBodyBytes: maxBodyBytes,
            shutdownTimeout: shutdownTimeout,
            clientTimeout: clientTimeout
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
///
/// A held handler waits on a continuation, not a clock: other suites' blocking tests can hold Swift's
/// cooperative threads for many seconds, and no timeout may run out meanwhile. The gate opens by
/// itself after two minutes, so that a broken test fails instead of hanging.
final class Gate: Sendable {
    private let state = Mutex(State())
    private struct State {
        var open = false
        var waiting = 0
        var mostWaiting = 0
        var parked: [CheckedContinuation<Void, Never>] = []
    }

    init() {
        Task.detached { [weak self] in
            try? await Task.sleep(for: .seconds(120))
            self?.open()
        }
    }

    var waiting: Int { state.withLock { $0.waiting } }
    var mostWaiting: Int { state.withLock { $0.mostWaiting } }

    func open() {
        let parked = state.withLock { state in
            state.open = true
            defer { state.parked = [] }
            return state.parked
        }
        for continuation in parked { continuation.resume() }
    }

    /// Waits until the gate opens.
    func pass() async {
        state.withLock {
            $0.waiting += 1
            $0.mostWaiting = max($0.mostWaiting, $0.waiting)
        }
        await withCheckedContinuation { continuation in
            let isOpen = state.withLock { state in
                if !state.open { state.parked.append(continuation) }
                return state.open
            }
            if isOpen { continuation.resume() }
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
