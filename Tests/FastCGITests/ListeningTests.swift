@testable import FastCGI
import Logging
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ListeningTests {
    func mode(of path: String) -> UInt32 {
        var info = stat()
        stat(path, &info)
        return UInt32(info.st_mode) & 0o777
    }

    @Test func unixSocketGetsTheConfiguredModeAndIsRemovedAtStop() async throws {
        let server = try TestServer()
        #expect(mode(of: server.socketPath) == 0o660)
        #expect(try await server.send("GET", "/").status == 200)
        _ = try await server.stop()
        #expect(!FileManager.default.fileExists(atPath: server.socketPath))

        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("w.sock").path
        let strict = try Server(
            configuration: ServerConfiguration(listen: .unix(path: path), socketMode: 0o600),
            responder: ClosureResponder { _ in Response(status: 200) }, logger: quietLogger)
        #expect(mode(of: path) == 0o600)
        strict.shutdown()
        _ = strict.waitUntilStopped()
    }

    /// The process's umask is every thread's: opening a socket must not change it, even for a moment,
    /// or a file another thread makes meanwhile gets the socket's mask (the tests' folders did: 0600).
    @Test func openingSocketsLeavesTheFilesOtherThreadsMakeAlone() throws {
        let directory = try makeTemporaryDirectory()
        let opening = Thread {
            for index in 0..<300 {
                let path = directory.appendingPathComponent("s\(index).sock").path
                if let socket = try? ListeningSocket.open(.unix(path: path), socketMode: 0o660, backlog: 1) { socket.close() }
            }
        }
        opening.start()
        var modes = Set<UInt32>()
        for index in 0..<3000 {
            let path = directory.appendingPathComponent("d\(index)").path
            mkdir(path, 0o777)
            modes.insert(mode(of: path))
        }
        while !opening.isFinished { usleep(1000) }
        let expected = 0o777 & ~currentUmask()
        #expect(modes == [expected], "folders made with modes \(modes.map { String($0, radix: 8) })")
    }

    private func currentUmask() -> UInt32 {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Umask:") } ?? "Umask:\t0022"
        return UInt32(line.split(separator: "\t").last ?? "0022", radix: 8) ?? 0o022
    }

    @Test func aStaleSocketIsReplaced() async throws {
        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("worker.sock").path
        // A socket file nobody listens on, as a killed worker leaves behind.
        let fd = try bindUnixSocket(at: path)
        close(fd)
        #expect(FileManager.default.fileExists(atPath: path))

        let server = try TestServer(listen: .unix(path: path))
        let response = try await onOwnThread { try FastCGIClient.send(to: path, params: FastCGIClient.params("GET", "/")) }
        #expect(response.status == 200)
        _ = try await server.stop()
    }

    @Test func aLiveSocketIsRefused() async throws {
        let first = try TestServer()
        #expect {
            try TestServer(listen: .unix(path: first.socketPath))
        } throws: { error in
            "\(error)".contains("another worker is already listening")
        }
        #expect(try await first.send("GET", "/").status == 200)
        _ = try await first.stop()
    }

    @Test func anOrdinaryFileIsNeverReplaced() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("worker.sock").path
        try "precious".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try TestServer(listen: .unix(path: path))
        } throws: { error in
            "\(error)".contains("not a socket")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
    }

    @Test func tcpOnPortZeroReportsTheRealPort() async throws {
        let server = try TestServer(listen: .tcp(host: "127.0.0.1", port: 0))
        let address = server.server.boundAddress
        let port = try #require(UInt16(address.split(separator: ":").last ?? ""))
        #expect(address.hasPrefix("127.0.0.1:") && port != 0)
        let response = try await onOwnThread {
            let client = FastCGIClient(socket: try TestSocket(port: port))
            try client.begin(params: FastCGIClient.params("GET", "/"))
            try client.endBody()
            return try client.readResponse()
        }
        #expect(response.status == 200)
        _ = try await server.stop()
    }

    @Test func anInheritedListeningSocketIsServed() async throws {
        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("inherited.sock").path
        let fd = try bindUnixSocket(at: path)
        listen(fd, 16)

        // Each worker gets its own descriptor for the socket, as systemd keeps one of its own.
        let server = try TestServer(listen: .inherited(fd: dup(fd)))
        let response = try await onOwnThread { try FastCGIClient.send(to: path, params: FastCGIClient.params("GET", "/")) }
        #expect(response.status == 200)
        _ = try await server.stop()
        // The socket belongs to whoever passed it: its file stays, and it still works for the next worker.
        #expect(FileManager.default.fileExists(atPath: path))
        let next = try TestServer(listen: .inherited(fd: dup(fd)))
        let again = try await onOwnThread { try FastCGIClient.send(to: path, params: FastCGIClient.params("GET", "/")) }
        #expect(again.status == 200)
        _ = try await next.stop()
    }

    @Test func anInheritedDescriptorThatIsNotListeningIsRefused() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        #expect {
            try TestServer(listen: .inherited(fd: fds[0]))
        } throws: { error in
            "\(error)".contains("not a listening socket")
        }
    }
}
