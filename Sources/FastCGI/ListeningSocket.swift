#if canImport(Glibc)
import Glibc
#endif

/// Why the worker could not start listening.
public struct ListenError: Error, CustomStringConvertible {
    public let description: String
}

/// The worker's listening socket, opened by the worker itself rather than `FCGX_OpenSocket`, which binds
/// every interface, exits the process on error and sets no permissions.
///
/// The socket is blocking: one server thread at a time waits in `accept()`, and a shutdown wakes it with a signal.
final class ListeningSocket: Sendable {
    let fd: Int32
    /// Where it listens, with the real port when port 0 was asked for.
    let boundAddress: String
    /// The unix socket file this worker created, and its inode, so that only our own file is removed.
    private let ownedFile: (path: String, inode: UInt)?

    /// Whether it listens on TCP rather than a unix socket.
    private let isTCP: Bool

    private init(fd: Int32, boundAddress: String, ownedFile: (path: String, inode: UInt)?) {
        self.fd = fd
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        isTCP = named == 0 && [AF_INET, AF_INET6].contains(Int32(address.ss_family))
        self.boundAddress = boundAddress
        self.ownedFile = ownedFile
    }

    static func open(_ address: ListenAddress, socketMode: UInt32, backlog: Int32) throws(ListenError) -> ListeningSocket {
        let socket: ListeningSocket
        switch address {
        case .unix(let path):
            socket = try openUnix(path: path, mode: mode_t(socketMode), backlog: backlog)
        case .tcp(let host, let port):
            socket = try openTCP(host: host, port: port, backlog: backlog)
        case .inherited(let fd):
            socket = try adopt(fd: fd)
        }
        // Blocking, also when inherited: server threads wait in accept() itself.
        let flags = fcntl(socket.fd, F_GETFL)
        guard flags >= 0, fcntl(socket.fd, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
            let message = lastError()
            socket.close()
            throw ListenError(description: "\(address): cannot make the socket blocking: \(message)")
        }
        return socket
    }

    /// Sets up a connection it accepted: reads and writes that wait longer than `timeout` fail, and on TCP
    /// small answers leave at once (no Nagle: nothing is ever sent back to wait for).
    func prepare(connection: Int32, timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            setsockopt(connection, SOL_SOCKET, option, &limit, socklen_t(MemoryLayout<timeval>.size))
        }
        if isTCP {
            var on: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Stops listening; a unix socket file this worker made is removed if it is still ours.
    func close() {
        if let ownedFile {
            var info = stat()
            if lstat(ownedFile.path, &info) == 0, UInt(info.st_ino) == ownedFile.inode {
                unlink(ownedFile.path)
            }
        }
        _ = Glibc.close(fd)
    }

    private static func openUnix(path: String, mode: mode_t, backlog: Int32) throws(ListenError) -> ListeningSocket {
        var existing = stat()
        if lstat(path, &existing) == 0 {
            guard existing.st_mode & S_IFMT == S_IFSOCK else {
                throw ListenError(description: "unix:\(path) exists and is not a socket; not replacing it")
            }
            if isAcceptingConnections(path: path) {
                throw ListenError(description: "unix:\(path): another worker is already listening there; stop it first or choose another path")
            }
            unlink(path)  // a stale socket left by a worker that did not exit cleanly
        }

        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenError(description: "unix:\(path): socket(): \(lastError())") }

        var address = unixAddress(path)
        // Whatever mode the file is made with, nobody can connect before listen(), which comes after the
        // chmod below. No umask here: it is the whole process's, and a file any other thread made meanwhile
        // would get this one's mask.
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let message = lastError()
            _ = Glibc.close(fd)
            throw ListenError(description: "unix:\(path): bind(): \(message)")
        }
        var created = stat()
        guard chmod(path, mode) == 0, lstat(path, &created) == 0, listen(fd, backlog) == 0 else {
            let message = lastError()
            _ = Glibc.close(fd)
            unlink(path)
            throw ListenError(description: "unix:\(path): \(message)")
        }
        return ListeningSocket(fd: fd, boundAddress: "unix:\(path)", ownedFile: (path, UInt(created.st_ino)))
    }

    private static func openTCP(host: String, port: UInt16, backlog: Int32) throws(ListenError) -> ListeningSocket {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenError(description: "\(host):\(port): socket(): \(lastError())") }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            _ = Glibc.close(fd)
            throw ListenError(description: "\(host):\(port): not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let message = lastError()
            _ = Glibc.close(fd)
            throw ListenError(description: "\(host):\(port): \(message)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return ListeningSocket(fd: fd, boundAddress: "\(host):\(UInt16(bigEndian: actual.sin_port))", ownedFile: nil)
    }

    private static func adopt(fd: Int32) throws(ListenError) -> ListeningSocket {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting == 1 else {
            throw ListenError(
                description: "fd:\(fd) is not a listening socket; start the worker through spawn-fcgi or a systemd socket unit with StandardInput=socket"
            )
        }
        return ListeningSocket(fd: fd, boundAddress: "fd:\(fd)", ownedFile: nil)
    }

    private static func isAcceptingConnections(path: String) -> Bool {
        let probe = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { return false }
        defer { _ = Glibc.close(probe) }
        var address = unixAddress(path)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return connected == 0
    }

    private static func unixAddress(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            let bytes = Array(path.utf8.prefix(buffer.count - 1))
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        return address
    }
}

func lastError() -> String {
    String(cString: strerror(errno))
}
