import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct SocketError: Error, CustomStringConvertible {
    public let description: String
}

/// A connected, blocking stream socket for test clients.
public final class TestSocket {
    public let fd: Int32

    /// How long a read waits before the test fails instead of hanging. A guard against hangs, not a
    /// timing check: in a full parallel run on two cores, a request queued behind ones a test holds
    /// has waited past 30 s.
    static let hangGuardSeconds = 120

    public init(unixPath: String) throws {
        fd = try Self.connected(family: AF_UNIX, to: unixSocketAddress(unixPath), describing: unixPath)
        setReceiveTimeout(seconds: Self.hangGuardSeconds)
    }

    public init(port: UInt16, host: String = "127.0.0.1") throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        fd = try Self.connected(family: AF_INET, to: address, describing: "\(host):\(port)")
        setReceiveTimeout(seconds: Self.hangGuardSeconds)
    }

    /// A new stream socket connected to `address` (a `sockaddr_un` or `sockaddr_in`).
    private static func connected<Address>(family: Int32, to address: Address, describing name: String) throws -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        var address = address
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw SocketError(description: "connect \(name): \(message)")
        }
        return fd
    }

    deinit { Glibc.close(fd) }

    /// A test that waits longer than this for an answer has failed; it must not hang the suite.
    public func setReceiveTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    public func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw SocketError(description: "send: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }

    /// Up to `count` bytes; empty at end of stream.
    public func read(upTo count: Int = 65536) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let received = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, count, 0) }
        guard received >= 0 else { throw SocketError(description: "recv: \(String(cString: strerror(errno)))") }
        return Array(buffer.prefix(received))
    }

    public func readToEnd() throws -> [UInt8] {
        var all: [UInt8] = []
        while case let chunk = try read(), !chunk.isEmpty { all += chunk }
        return all
    }

    /// Exactly `count` bytes, or fewer if the stream ends first.
    public func read(exactly count: Int) throws -> [UInt8] {
        var all: [UInt8] = []
        while all.count < count {
            let chunk = try read(upTo: count - all.count)
            if chunk.isEmpty { break }
            all += chunk
        }
        return all
    }
}

func unixSocketAddress(_ path: String) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
    return address
}

/// A unix socket bound at `path` but not yet listening, for tests that make one outside the server.
public func bindUnixSocket(at path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = unixSocketAddress(path)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard bound == 0 else { throw SocketError(description: "bind \(path): \(String(cString: strerror(errno)))") }
    return fd
}

/// Runs blocking work on a thread of its own, so test clients never block Swift's cooperative pool,
/// which an in-process server's handlers need.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
