import FastCGI
import Foundation
import TestSupport
import Testing

/// Clients of the socket that stall or never send: each holds up no one else, and only for the client timeout.
@Suite struct ClientTimeoutTests {
    /// Half of a record's header, then nothing.
    @Test func aStalledHalfRecordHoldsUpNoOtherRequest() async throws {
        let server = try TestServer(maxInFlight: 4, clientTimeout: .milliseconds(500))
        let path = server.socketPath
        let (answer, closed) = try await onOwnThread {
            let stalled = try TestSocket(unixPath: path)
            try stalled.write([1, 1, 0, 1])
            return (try Self.timedAnswer(from: path), try Self.closedByTheServer(stalled, within: .seconds(3)))
        }
        #expect(answer.status == 200)
        #expect(answer.took < .milliseconds(400), "answered after \(answer.took)")
        #expect(closed)
        _ = try await server.stop()
    }

    @Test func aStalledBodyIsAnswered408AndClosedAfterTheTimeout() async throws {
        let server = try TestServer(maxInFlight: 4, clientTimeout: .milliseconds(500))
        let path = server.socketPath
        let (answer, stalledAnswer) = try await onOwnThread {
            let client = try FastCGIClient(unixPath: path)
            try client.begin(params: FastCGIClient.params("POST", "/x", extra: ["CONTENT_LENGTH": "10"]))
            try client.sendBody(Array("12345".utf8))
            let answer = try Self.timedAnswer(from: path)
            let started = ContinuousClock.now
            let response = try client.readResponse()
            return (answer, (status: response.status, took: ContinuousClock.now - started, text: response.text))
        }
        #expect(answer.status == 200)
        #expect(answer.took < .milliseconds(400), "answered after \(answer.took)")
        #expect(stalledAnswer.status == 408)
        #expect(stalledAnswer.text.contains(#""title":"Request Timeout""#), "\(stalledAnswer.text)")
        #expect(stalledAnswer.took < .seconds(3))
        _ = try await server.stop()
    }

    /// Fifty connections that send nothing.
    @Test func idleConnectionsHoldUpNoOtherRequest() async throws {
        let server = try TestServer(maxInFlight: 64, clientTimeout: .milliseconds(800))
        let path = server.socketPath
        let (answer, closed) = try await onOwnThread {
            let idle = try (0..<50).map { _ in try TestSocket(unixPath: path) }
            return (try Self.timedAnswer(from: path), try idle.filter { try Self.closedByTheServer($0, within: .seconds(5)) }.count)
        }
        #expect(answer.status == 200)
        #expect(answer.took < .milliseconds(400), "answered after \(answer.took)")
        #expect(closed == 50)
        _ = try await server.stop()
    }

    /// nginx's `fastcgi_keep_conn on`: the connection outlives its request, and the next comes on it.
    @Test func aKeptConnectionCarriesOneRequestAfterAnother() async throws {
        let server = try TestServer { request in Response(status: 200, contentType: "text/plain", body: request.path) }
        let path = server.socketPath
        let answers = try await onOwnThread {
            let client = try FastCGIClient(unixPath: path)
            return try ["/first", "/second"].map { target in
                try client.begin(params: FastCGIClient.params("GET", target), keepConnection: true)
                try client.endBody()
                return try client.readResponse().text
            }
        }
        #expect(answers == ["/first", "/second"])
        _ = try await server.stop()
    }

    private static func timedAnswer(from path: String) throws -> (status: Int, took: Duration) {
        let started = ContinuousClock.now
        let response = try FastCGIClient.send(to: path, params: FastCGIClient.params("GET", "/healthz"))
        return (response.status, ContinuousClock.now - started)
    }

    /// Whether the server closes `connection` before `limit`: a read finds its end, or a reset.
    private static func closedByTheServer(_ connection: TestSocket, within limit: Duration) throws -> Bool {
        let started = ContinuousClock.now
        connection.setReceiveTimeout(seconds: Int(limit.components.seconds))
        while true {
            do {
                if try connection.read().isEmpty { break }
            } catch {
                guard "\(error)".contains("reset") else { return false }  // our own receive timeout
                break
            }
        }
        return ContinuousClock.now - started < limit
    }
}
