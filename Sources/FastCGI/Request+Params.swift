#if canImport(Glibc)
import Glibc
#endif

extension Request {
    /// Builds a request from the FastCGI params nginx sends: Debian's `fastcgi_params`, plus `MOUNT_PATH`
    /// for where the application is mounted, `REQUEST_ID` for `$request_id` and `METRICS_ALLOWED` from the
    /// metrics location (see `nginx/`).
    ///
    /// The path comes from the raw `REQUEST_URI`, not the decoded `DOCUMENT_URI`, so that an encoded
    /// `/` inside a path segment stays inside it.
    public init(params: [String: String], body: [UInt8], makeRequestID: () -> String = Request.randomID) {
        var builder = RequestBuilder()
        for (name, value) in params.sorted(by: { $0.key < $1.key }) {
            var name = name
            var value = value
            name.withUTF8 { name in value.withUTF8 { value in builder.add(name: name, value: value) } }
        }
        self = builder.build(body: body, makeRequestID: makeRequestID)
    }

    /// 32 random hexadecimal digits, the shape of nginx's `$request_id`.
    public static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// Collects params as raw bytes, straight from libfcgi's memory: headers (`HTTP_*`) and the CGI
/// variables a request needs become strings, every other param is skipped without one.
struct RequestBuilder {
    private var headers = HTTPHeaders()
    private var contentType, contentLength, requestURI, documentURI, mountPath, requestMethod, queryString,
        remoteAddress, https, requestID, metricsAllowed: String?

    /// Where a name repeats, the last value counts.
    mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        if name.count > 5, name.starts(with: Self.httpPrefix) {
            headers.add(name: Self.headerName(UnsafeBufferPointer(rebasing: name[5...])), value: String(decoding: value, as: UTF8.self))
            return
        }
        let text = { String(decoding: value, as: UTF8.self) }
        switch name.count {
        case 5 where Self.equal(name, "HTTPS"): https = text()
        case 10 where Self.equal(name, "MOUNT_PATH"): mountPath = text()
        case 10 where Self.equal(name, "REQUEST_ID"): requestID = text()
        case 11 where Self.equal(name, "REQUEST_URI"): requestURI = text()
        case 11 where Self.equal(name, "REMOTE_ADDR"): remoteAddress = text()
        case 12 where Self.equal(name, "CONTENT_TYPE"): contentType = text()
        case 12 where Self.equal(name, "DOCUMENT_URI"): documentURI = text()
        case 12 where Self.equal(name, "QUERY_STRING"): queryString = text()
        case 14 where Self.equal(name, "CONTENT_LENGTH"): contentLength = text()
        case 14 where Self.equal(name, "REQUEST_METHOD"): requestMethod = text()
        case 15 where Self.equal(name, "METRICS_ALLOWED"): metricsAllowed = text()
        default: break
        }
    }

    func build(body: [UInt8], makeRequestID: () -> String = Request.randomID) -> Request {
        var headers = headers
        // CONTENT_TYPE and CONTENT_LENGTH are the two headers CGI passes without the HTTP_ prefix.
        if let contentType, !contentType.isEmpty { headers.add(name: "content-type", value: contentType) }
        if let contentLength, !contentLength.isEmpty { headers.add(name: "content-length", value: contentLength) }

        let (rawPath, uriQuery) = Self.split(requestURI ?? documentURI ?? "/")
        let mount = Self.normalizedMountPath(mountPath ?? "")
        var path = Self.strip(mountPath: mount, from: rawPath)
        if path == nil, let documentURI {
            path = Self.strip(mountPath: mount, from: documentURI)
        }
        return Request(
            method: requestMethod ?? "GET",
            path: path ?? rawPath,
            mountPath: path == nil ? "" : mount,
            query: queryString ?? uriQuery,
            headers: headers,
            remoteAddress: remoteAddress ?? "",
            isHTTPS: https.map { $0.lowercased() == "on" } ?? false,
            requestID: requestID.flatMap(Self.validRequestID) ?? makeRequestID(),
            isFromMetricsLocation: metricsAllowed == "1",
            body: body
        )
    }

    private static let httpPrefix: [UInt8] = Array("HTTP_".utf8)

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        bytes.count == name.utf8CodeUnitCount && memcmp(bytes.baseAddress!, name.utf8Start, bytes.count) == 0
    }

    /// `USER_AGENT` -> `user-agent`.
    private static func headerName(_ name: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: name.count) { buffer in
            for (index, byte) in name.enumerated() {
                buffer[index] = switch byte {
                case UInt8(ascii: "_"): UInt8(ascii: "-")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
                default: byte
                }
            }
            return name.count
        }
    }

    private static func split(_ uri: String) -> (path: String, query: String) {
        let utf8 = uri.utf8
        guard let mark = utf8.firstIndex(of: UInt8(ascii: "?")) else { return (uri, "") }
        return (String(uri[..<mark]), String(uri[utf8.index(after: mark)...]))
    }

    private static func normalizedMountPath(_ mountPath: String) -> String {
        var mount = Substring(mountPath)
        while mount.utf8.last == UInt8(ascii: "/") { mount.removeLast() }
        return String(mount)
    }

    /// The part of `uriPath` below `mountPath`, or nil when `uriPath` is not below it.
    private static func strip(mountPath: String, from uriPath: String) -> String? {
        if mountPath.isEmpty { return uriPath.isEmpty ? "/" : uriPath }
        guard uriPath.utf8.starts(with: mountPath.utf8) else { return nil }
        let rest = uriPath.utf8.dropFirst(mountPath.utf8.count)
        if rest.isEmpty { return "/" }
        return rest.first == UInt8(ascii: "/") ? String(Substring(rest)) : nil
    }

    /// A request id is echoed into logs and a response header, so only a short token is taken as it is.
    private static func validRequestID(_ id: String) -> String? {
        var id = id
        let allowed = id.withUTF8 { bytes in
            (1...128).contains(bytes.count) && bytes.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            }
        }
        return allowed ? id : nil
    }
}
