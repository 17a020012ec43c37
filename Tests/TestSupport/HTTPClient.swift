import Foundation

/// An HTTP/1.1 response as the client saw it.
public struct HTTPResponse: Sendable {
    public let status: Int
    /// Lower-cased names; a repeated field keeps its last value.
    public let headers: [String: String]
    public let body: [UInt8]
    public var text: String { String(decoding: body, as: UTF8.self) }

    public func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] ?? [:]
    }
}

/// A deliberately plain HTTP/1.1 client: one connection per request, no redirects followed, headers
/// exactly as given.
public enum HTTPClient {
    public static func request(
        port: UInt16,
        _ method: String,
        _ path: String,
        headers: [String: String] = [:],
        body: [UInt8] = []
    ) throws -> HTTPResponse {
        let socket = try TestSocket(port: port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try socket.write(Array(head.utf8) + body)
        return parse(try socket.readToEnd())
    }

    public static func parse(_ bytes: [UInt8]) -> HTTPResponse {
        let raw = FastCGIClient.parse(bytes)  // same head/body split, the status line aside
        let statusLine = String(decoding: bytes.prefix(while: { $0 != 13 }), as: UTF8.self)
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        var body = raw.body
        if raw.headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return HTTPResponse(status: status, headers: raw.headers, body: body)
    }

    private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstIndex(of: 13) else { break }
            let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self), radix: 16) ?? 0
            if size == 0 { break }
            let start = lineEnd + 2
            output += bytes[start..<min(start + size, bytes.count)]
            index = start + size + 2
        }
        return output
    }
}
