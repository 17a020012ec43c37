import Foundation
import TestSupport
import Testing

/// Clients of the worker's socket that stall, with nginx in front: /healthz through nginx keeps
/// answering at once, and each stalled connection is closed after the client timeout.
@Suite(.serialized) struct MisbehavingClientsTests {
    @Test func aStalledHalfRecordDoesNotHoldUpNginx() throws {
        let stack = try Stack(workerArguments: ["--client-timeout", "1"])
        let stalled = try TestSocket(unixPath: stack.socketPath)
        try stalled.write([1, 1, 0, 1])
        try expectHealthzAtOnce(stack)
        stalled.setReceiveTimeout(seconds: 5)
        #expect(try stalled.read().isEmpty, "closed by the worker after the client timeout")
    }

    @Test func aStalledBodyDoesNotHoldUpNginx() throws {
        let stack = try Stack(workerArguments: ["--client-timeout", "1"])
        let client = try FastCGIClient(unixPath: stack.socketPath)
        try client.begin(params: FastCGIClient.params("POST", "/api/v1/coupons", extra: ["CONTENT_LENGTH": "100"]))
        try client.sendBody(Array("{\"out".utf8))
        try expectHealthzAtOnce(stack)
        #expect(try client.readResponse().status == 408)
    }

    @Test func fiftyIdleConnectionsDoNotHoldUpNginx() throws {
        let stack = try Stack(workerArguments: ["--client-timeout", "2"])
        let idle = try (0..<50).map { _ in try TestSocket(unixPath: stack.socketPath) }
        try expectHealthzAtOnce(stack)
        try expectHealthzAtOnce(stack)
        idle[0].setReceiveTimeout(seconds: 5)
        #expect(try idle[0].read().isEmpty, "closed by the worker after the client timeout")
    }

    private func expectHealthzAtOnce(_ stack: Stack) throws {
        let started = ContinuousClock.now
        let response = try stack.get("/healthz", authorized: false)
        let took = ContinuousClock.now - started
        #expect(response.status == 200)
        #expect(took < .milliseconds(300), "answered after \(took)")
    }
}
