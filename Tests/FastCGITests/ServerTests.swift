import FastCGI
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite struct ServerTests {
    @Test func answersWithStatusHeadersBodyAndRequestID() async throws {
        let server = try TestServer { request in
            Response(status: 201, contentType: "text/plain", body: "\(request.method) \(request.path) \(request.query)")
        }
        let response = try await server.send("PUT", "/a/b?x=1", extra: ["REQUEST_ID": "abc-123"])
        #expect(response.status == 201)
        #expect(response.text == "PUT /a/b x=1")
        #expect(response.headers["content-type"] == "text/plain")
        #expect(response.headers["content-length"] == "12")
        #expect(response.headers["x-request-id"] == "abc-123")
        _ = try await server.stop()
    }

    @Test func aRequestWithoutAnIDGetsOne() async throws {
        let server = try TestServer()
        let first = try await server.send("GET", "/")
        let second = try await server.send("GET", "/")
        let id = try #require(first.headers["x-request-id"])
        #expect(id.count == 32)
        #expect(id != second.headers["x-request-id"])
        _ = try await server.stop()
    }

    @Test func bodyIsDeliveredWhole() async throws {
        let server = try TestServer { request in
            Response(status: 200, contentType: "text/plain", body: "\(request.body.count) \(request.body.reduce(0) { $0 &+ Int($1) })")
        }
        let body = (0..<300_000).map { UInt8($0 % 251) }
        let response = try await server.send("POST", "/upload", body: body)
        #expect(response.text == "\(body.count) \(body.reduce(0) { $0 &+ Int($1) })")
        _ = try await server.stop()
    }

    @Test(arguments: ["12x", "-5", "+5", " 5", "5 ", "0x10", "1e3", "５"])
    func malformedContentLengthIs400(value: String) async throws {
        let called = Atomic<Int>(0)
        let server = try TestServer { _ in
            called.add(1, ordering: .relaxed)
            return Response(status: 200)
        }
        let response = try await server.send("POST", "/x", extra: ["CONTENT_LENGTH": value])
        #expect(response.status == 400)
        #expect(response.headers["content-type"] == "application/problem+json")
        #expect(called.load(ordering: .relaxed) == 0)
        _ = try await server.stop()
    }

    /// The body is never sent: had the worker tried to read it, the answer would not come.
    @Test func oversizeContentLengthIs413BeforeTheBodyIsRead() async throws {
        let server = try TestServer(maxBodyBytes: 1000)
        let path = server.socketPath
        let response = try await onOwnThread {
            let client = try FastCGIClient(unixPath: path)
            try client.begin(params: FastCGIClient.params("POST", "/x", extra: ["CONTENT_LENGTH": "1001"]))
            return try client.readResponse()
        }
        #expect(response.status == 413)
        #expect(response.text.contains("1000 bytes"))
        let atLimit = try await server.send("POST", "/x", body: [UInt8](repeating: 65, count: 1000))
        #expect(atLimit.status == 200)
        _ = try await server.stop()
    }

    @Test func bodyShorterThanContentLengthIs400() async throws {
        let server = try TestServer()
        let path = server.socketPath
        let response = try await onOwnThread {
            let client = try FastCGIClient(unixPath: path)
            try client.begin(params: FastCGIClient.params("POST", "/x", extra: ["CONTENT_LENGTH": "10"]))
            try client.sendBody(Array("12345".utf8))
            try client.endBody()
            return try client.readResponse()
        }
        #expect(response.status == 400)
        _ = try await server.stop()
    }

    @Test func aThrowingHandlerGives500WithTheRequestIDAndTheWorkerGoesOn() async throws {
        struct Boom: Error {}
        let server = try TestServer { request in
            if request.path == "/boom" { throw Boom() }
            return Response(status: 200)
        }
        let failed = try await server.send("GET", "/boom", extra: ["REQUEST_ID": "req-500"])
        #expect(failed.status == 500)
        #expect(failed.headers["content-type"] == "application/problem+json")
        let problem = try JSONDecoder().decode(Problem.self, from: Data(failed.body))
        #expect(problem.requestID == "req-500")
        #expect(problem.status == 500)
        #expect(try await server.send("GET", "/fine").status == 200)
        _ = try await server.stop()
    }

    /// Every handler waits until all of them have started: this passes only if they run at once.
    @Test func handlersRunConcurrently() async throws {
        let gate = Gate()
        let count = 6
        let server = try TestServer(maxInFlight: 8) { _ in
            await gate.pass()
            return Response(status: 200)
        }
        async let responses = withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<count { group.addTask { try await server.send("GET", "/slow").status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(await Gate.eventually { gate.waiting == count })
        gate.open()
        #expect(try await responses == Array(repeating: 200, count: count))
        _ = try await server.stop()
    }

    /// A task started on the request's executor runs on the request's thread until the answer, and goes
    /// on in Swift's pool once the thread has moved on to other requests.
    @Test func workOnTheRequestsThreadGoesOnAfterTheAnswer() async throws {
        let gate = Gate()
        final class Threads: Sendable { let names = Mutex<[String]>([]) }
        let threads = Threads()
        let server = try TestServer(maxInFlight: 1) { request in
            let handlerThread = currentThreadID()
            guard request.path == "/late" else { return Response(status: 200) }
            Task(executorPreference: RequestThread.executor) {
                threads.names.withLock { $0.append(currentThreadID()) }
                await gate.pass()
                threads.names.withLock { $0.append(currentThreadID()) }
            }
            return Response(status: 200, contentType: "text/plain", body: handlerThread)
        }
        let answered = try await server.send("GET", "/late")
        #expect(await Gate.eventually { gate.waiting == 1 })
        #expect(threads.names.withLock { $0 } == [answered.text])
        // The only server thread is back in accept() or serving this one; the task must not wait for it.
        #expect(try await server.send("GET", "/").status == 200)
        gate.open()
        #expect(await Gate.eventually { threads.names.withLock { $0.count } == 2 })
        #expect(threads.names.withLock { $0.last } != answered.text)
        _ = try await server.stop()
    }

    /// Once a request's input has ended, its connection is closed at once: the thread does not wait for
    /// the peer to close its side too (libfcgi's lingering close would hold it for 2 s here).
    @Test func aThreadIsFreeOnceItsAnswerIsSent() async throws {
        let server = try TestServer(maxInFlight: 1)
        let path = server.socketPath
        let (first, second, took) = try await onOwnThread {
            let lingering = try FastCGIClient(unixPath: path)
            try lingering.begin(params: FastCGIClient.params("GET", "/"))
            try lingering.endBody()
            let first = try lingering.readResponse()
            let started = ContinuousClock.now
            let second = try FastCGIClient.send(to: path, params: FastCGIClient.params("GET", "/"))
            let took = ContinuousClock.now - started
            withExtendedLifetime(lingering) {}  // its side stays open until the second answer
            return (first.status, second.status, took)
        }
        #expect(first == 200 && second == 200)
        #expect(took < .seconds(1))
        _ = try await server.stop()
    }

    /// Profiles and `top -H` tell the server's threads apart by their OS names.
    @Test func serverThreadsAreNamed() async throws {
        let server = try TestServer(maxInFlight: 3)
        @Sendable func threadNames() -> Set<String> {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
            return Set(tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        }
        #expect(await Gate.eventually { threadNames().isSuperset(of: ["fastcgi-0", "fastcgi-1", "fastcgi-2"]) })
        _ = try await server.stop()
    }

    @Test func inFlightRequestsAreBoundedAndTheRestQueue() async throws {
        let gate = Gate()
        let server = try TestServer(maxInFlight: 2) { _ in
            await gate.pass()
            return Response(status: 200)
        }
        async let responses = withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<5 { group.addTask { try await server.send("GET", "/slow").status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(await Gate.eventually { gate.waiting == 2 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(gate.waiting == 2)
        gate.open()
        #expect(try await responses == Array(repeating: 200, count: 5))
        #expect(gate.mostWaiting == 2)
        _ = try await server.stop()
    }

    @Test func shutdownLetsInFlightRequestsFinish() async throws {
        let gate = Gate()
        let server = try TestServer { _ in
            await gate.pass()
            return Response(status: 200, contentType: "text/plain", body: "finished")
        }
        async let response = server.send("GET", "/slow")
        #expect(await Gate.eventually { gate.waiting == 1 })
        async let outcome = server.stop()
        // New connections are refused at once, while the request in flight goes on.
        #expect(await Gate.eventually { !FileManager.default.fileExists(atPath: server.socketPath) })
        #expect(throws: SocketError.self) { try TestSocket(unixPath: server.socketPath) }
        gate.open()
        #expect(try await response.text == "finished")
        #expect(try await outcome == .drained)
    }

    @Test func shutdownGivesUpAfterTheTimeout() async throws {
        let gate = Gate()
        let server = try TestServer(shutdownTimeout: .milliseconds(200)) { _ in
            await gate.pass()
            return Response(status: 200)
        }
        let path = server.socketPath
        let client = Task { try? await onOwnThread { try FastCGIClient.send(to: path, params: FastCGIClient.params("GET", "/")) } }
        #expect(await Gate.eventually { gate.waiting == 1 })
        #expect(try await server.stop() == .timedOut(unfinished: 1))
        gate.open()
        _ = await client.value
    }

    /// The requirement is "an idle worker exits within 1 s"; it takes milliseconds.
    @Test func anIdleServerStopsWithinASecond() async throws {
        let server = try TestServer(maxInFlight: 16)
        let (outcome, took) = try await server.stopTimed()
        #expect(outcome == .drained)
        #expect(took < .seconds(1))
    }
}

/// The thread this runs on.
func currentThreadID() -> String {
    String(UInt(bitPattern: Int(bitPattern: pthread_self())))
}
