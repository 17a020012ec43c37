/// Where the worker takes FastCGI connections from.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// A unix socket the worker creates at this path.
    case unix(path: String)
    /// A TCP socket on a loopback address; port 0 picks a free port.
    case tcp(host: String, port: UInt16)
    /// A listening socket inherited from the parent (spawn-fcgi and systemd's `StandardInput=socket` pass fd 0).
    case inherited(fd: Int32)

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Accepts `unix:/path`, an absolute path, `127.0.0.1:PORT` (any 127.x.y.z, or `localhost`), or `fd:N`.
    public init(parsing text: String) throws(ParseError) {
        if text.hasPrefix("unix:") || text.hasPrefix("/") {
            let path = text.hasPrefix("unix:") ? String(text.dropFirst(5)) : text
            guard path.hasPrefix("/") else {
                throw ParseError(description: "'\(text)': a unix socket path must be absolute")
            }
            guard path.utf8.count < 108 else {
                throw ParseError(description: "'\(text)': a unix socket path must be shorter than 108 bytes")
            }
            self = .unix(path: path)
        } else if text.hasPrefix("fd:") {
            guard let fd = Int32(text.dropFirst(3)), fd >= 0 else {
                throw ParseError(description: "'\(text)': expected fd:N with N a file descriptor number")
            }
            self = .inherited(fd: fd)
        } else if let colon = text.lastIndex(of: ":") {
            var host = String(text[..<colon])
            guard let port = UInt16(text[text.index(after: colon)...]) else {
                throw ParseError(description: "'\(text)': the port must be a number from 0 to 65535")
            }
            if host == "localhost" { host = "127.0.0.1" }
            guard Self.isLoopbackIPv4(host) else {
                throw ParseError(
                    description: "'\(text)': FastCGI has no authentication, so TCP listens on a loopback address only (127.0.0.1)"
                )
            }
            self = .tcp(host: host, port: port)
        } else {
            throw ParseError(description: "'\(text)': expected unix:/path, 127.0.0.1:PORT or fd:N")
        }
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): "\(host):\(port)"
        case .inherited(let fd): "fd:\(fd)"
        }
    }

    private static func isLoopbackIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }
}
