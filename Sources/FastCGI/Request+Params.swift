extension Request {
    /// Builds a request from the FastCGI params nginx sends: Debian's `fastcgi_params`, plus `MOUNT_PATH`
    /// for where the application is mounted and `REQUEST_ID` for `$request_id` (see `nginx/`).
    ///
    /// The path comes from the raw `REQUEST_URI`, not the decoded `DOCUMENT_URI`, so that an encoded
    /// `/` inside a path segment stays inside it.
    public init(params: [String: String], body: [UInt8], makeRequestID: () -> String = Request.randomID) {
        self.init(orderedParams: params.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, body: body, makeRequestID: makeRequestID)
    }

    /// The same from params in the order they came; where a name repeats, the last one counts.
    /// Params that `isUsedParam` rejects are ignored.
    init(orderedParams: [(name: String, value: String)], body: [UInt8], makeRequestID: () -> String = Request.randomID) {
        var cgi = CGIVariables()
        var headers = HTTPHeaders()
        for (name, value) in orderedParams {
            if name.utf8.starts(with: "HTTP_".utf8) {
                headers.add(name: Self.headerName(fromParam: name.utf8.dropFirst(5)), value: value)
            } else {
                cgi.set(name, value)
            }
        }
        // CONTENT_TYPE and CONTENT_LENGTH are the two headers CGI passes without the HTTP_ prefix.
        if let contentType = cgi.contentType, !contentType.isEmpty {
            headers.add(name: "content-type", value: contentType)
        }
        if let contentLength = cgi.contentLength, !contentLength.isEmpty {
            headers.add(name: "content-length", value: contentLength)
        }

        let (rawPath, uriQuery) = Self.split(cgi.requestURI ?? cgi.documentURI ?? "/")
        let mountPath = Self.normalizedMountPath(cgi.mountPath ?? "")
        var path = Self.strip(mountPath: mountPath, from: rawPath)
        if path == nil, let documentURI = cgi.documentURI {
            path = Self.strip(mountPath: mountPath, from: documentURI)
        }

        self.init(
            method: cgi.requestMethod ?? "GET",
            path: path ?? rawPath,
            mountPath: path == nil ? "" : mountPath,
            query: cgi.queryString ?? uriQuery,
            headers: headers,
            remoteAddress: cgi.remoteAddress ?? "",
            isHTTPS: cgi.https.map { $0.lowercased() == "on" } ?? false,
            requestID: cgi.requestID.flatMap(Self.validRequestID) ?? makeRequestID(),
            body: body
        )
    }

    /// The CGI variables a request is built from.
    private struct CGIVariables {
        var contentType, contentLength, requestURI, documentURI, mountPath, requestMethod, queryString,
            remoteAddress, https, requestID: String?

        mutating func set(_ name: String, _ value: String) {
            switch name {
            case "CONTENT_TYPE": contentType = value
            case "CONTENT_LENGTH": contentLength = value
            case "REQUEST_URI": requestURI = value
            case "DOCUMENT_URI": documentURI = value
            case "MOUNT_PATH": mountPath = value
            case "REQUEST_METHOD": requestMethod = value
            case "QUERY_STRING": queryString = value
            case "REMOTE_ADDR": remoteAddress = value
            case "HTTPS": https = value
            case "REQUEST_ID": requestID = value
            default: break
            }
        }
    }

    private static let usedParams: [[UInt8]] = [
        "CONTENT_TYPE", "CONTENT_LENGTH", "REQUEST_URI", "DOCUMENT_URI", "MOUNT_PATH", "REQUEST_METHOD", "QUERY_STRING",
        "REMOTE_ADDR", "HTTPS", "REQUEST_ID",
    ].map { Array($0.utf8) }

    /// Whether a param named so (raw bytes) goes into a request: a header (`HTTP_*`) or one of the CGI
    /// variables read above.
    static func isUsedParam(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        if name.starts(with: [0x48, 0x54, 0x54, 0x50, 0x5F]) { return true }  // "HTTP_"
        return usedParams.contains { $0.count == name.count && $0.elementsEqual(name) }
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

    private static func split(_ uri: String) -> (path: String, query: String) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, "") }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }

    private static func normalizedMountPath(_ mountPath: String) -> String {
        var mount = mountPath
        while mount.hasSuffix("/") { mount.removeLast() }
        return mount
    }

    /// The part of `uriPath` below `mountPath`, or nil when `uriPath` is not below it.
    private static func strip(mountPath: String, from uriPath: String) -> String? {
        guard uriPath.hasPrefix(mountPath) else { return nil }
        let rest = uriPath.dropFirst(mountPath.count)
        if rest.isEmpty { return "/" }
        return rest.hasPrefix("/") ? String(rest) : nil
    }

    /// `USER_AGENT` -> `user-agent`.
    private static func headerName(fromParam name: Substring.UTF8View) -> String {
        String(decoding: name.map { byte in
            switch byte {
            case UInt8(ascii: "_"): UInt8(ascii: "-")
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
            default: byte
            }
        }, as: UTF8.self)
    }

    /// A request id is echoed into logs and a response header, so only a short token is taken as it is.
    private static func validRequestID(_ id: String) -> String? {
        guard (1...128).contains(id.utf8.count) else { return nil }
        let allowed = id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        return allowed ? id : nil
    }
}
