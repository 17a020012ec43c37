import Foundation

/// What a FastCGI responder wrote: the CGI-style head parsed, the body as bytes.
public struct CGIResponse: Sendable {
    public let status: Int
    /// Lower-cased names.
    public let headers: [String: String]
    public let body: [UInt8]
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Speaks FastCGI to a worker the way nginx does, record by record, so tests can also misbehave.
public final class FastCGIClient {
    private let socket: TestSocket
    private static let requestID: UInt16 = 1

    public init(socket: TestSocket) { self.socket = socket }

    public convenience init(unixPath: String) throws { self.init(socket: try TestSocket(unixPath: unixPath)) }

    /// BEGIN_REQUEST (responder role; the connection closed after, unless `keepConnection`) and all params.
    public func begin(params: [String: String], keepConnection: Bool = false) throws {
        try socket.write(Self.record(type: 1, content: [0, 1, keepConnection ? 1 : 0, 0, 0, 0, 0, 0]))
        var encoded: [UInt8] = []
        for (name, value) in params.sorted(by: { $0.key < $1.key }) {
            encoded += Self.length(name.utf8.count) + Self.length(value.utf8.count) + Array(name.utf8) + Array(value.utf8)
        }
        for chunk in Self.chunks(encoded) { try socket.write(Self.record(type: 4, content: chunk)) }
        try socket.write(Self.record(type: 4, content: []))
    }

    public func sendBody(_ bytes: [UInt8]) throws {
        for chunk in Self.chunks(bytes) { try socket.write(Self.record(type: 5, content: chunk)) }
    }

    public func endBody() throws {
        try socket.write(Self.record(type: 5, content: []))
    }

    /// Reads STDOUT records until END_REQUEST or the end of the connection.
    public func readResponse() throws -> CGIResponse {
        var stdout: [UInt8] = []
        while true {
            let header = try socket.read(exactly: 8)
            guard header.count == 8 else { break }
            let length = Int(header[4]) << 8 | Int(header[5])
            let content = try socket.read(exactly: length + Int(header[6]))
            if header[1] == 6 { stdout += content.prefix(length) }
            if header[1] == 3 { break }
        }
        return Self.parse(stdout)
    }

    /// One whole request: params, body, response.
    public static func send(to unixPath: String, params: [String: String], body: [UInt8] = []) throws -> CGIResponse {
        let client = try FastCGIClient(unixPath: unixPath)
        try client.begin(params: params)
        try client.sendBody(body)
        try client.endBody()
        return try client.readResponse()
    }

    /// The params nginx would send for `method path`.
    public static func params(_ method: String, _ uri: String, body: [UInt8] = [], extra: [String: String] = [:]) -> [String: String] {
        var params = [
            "REQUEST_METHOD": method, "REQUEST_URI": uri, "MOUNT_PATH": "", "CONTENT_LENGTH": body.isEmpty ? "" : "\(body.count)",
            "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
        ]
        params.merge(extra) { $1 }
        return params
    }

    private static func record(type: UInt8, content: [UInt8]) -> [UInt8] {
        let padding = (8 - content.count % 8) % 8
        return [1, type, UInt8(requestID >> 8), UInt8(requestID & 0xFF), UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0]
            + content + [UInt8](repeating: 0, count: padding)
    }

    private static func length(_ count: Int) -> [UInt8] {
        count < 128 ? [UInt8(count)] : [UInt8(count >> 24) | 0x80, UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)]
    }

    private static func chunks(_ bytes: [UInt8]) -> [[UInt8]] {
        stride(from: 0, to: bytes.count, by: 65535).map { Array(bytes[$0..<min($0 + 65535, bytes.count)]) }
    }

    static func parse(_ stdout: [UInt8]) -> CGIResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0...max(0, stdout.count - 4)).first(where: { Array(stdout[$0..<min($0 + 4, stdout.count)]) == separator }) else {
            return CGIResponse(status: 0, headers: [:], body: stdout)
        }
        var headers: [String: String] = [:]
        for line in String(decoding: stdout[..<end], as: UTF8.self).components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let status = Int(headers["status"]?.prefix(3) ?? "200") ?? 0
        return CGIResponse(status: status, headers: headers, body: Array(stdout[(end + 4)...]))
    }
}
