import Foundation

extension Request {
    /// Builds a request from the FastCGI params nginx sends: Debian's `fastcgi_params`, plus `MOUNT_PATH`
    /// for where the application is mounted and `REQUEST_ID` for `$request_id` (see `nginx/`).
    ///
    /// The path comes from the raw `REQUEST_URI`, not the decoded `DOCUMENT_URI`, so that an encoded
    /// `/` inside a path segment stays inside it.
    public init(params: [String: String], body: [UInt8], makeRequestID: () -> String = Request.randomID) {
        let requestURI = params["REQUEST_URI"] ?? params["DOCUMENT_URI"] ?? "/"
        let (rawPath, uriQuery) = Self.split(requestURI)
        let mountPath = Self.normalizedMountPath(params["MOUNT_PATH"] ?? "")

        var path = Self.strip(mountPath: mountPath, from: rawPath)
        if path == nil, let documentURI = params["DOCUMENT_URI"] {
            path = Self.strip(mountPath: mountPath, from: documentURI)
        }

        var headers = HTTPHeaders()
        for (name, value) in params.sorted(by: { $0.key < $1.key }) {
            if name.hasPrefix("HTTP_") {
                headers.add(name: Self.headerName(fromParam: String(name.dropFirst(5))), value: value)
            }
        }
        if let contentType = params["CONTENT_TYPE"], !contentType.isEmpty {
            headers.add(name: "content-type", value: contentType)
        }
        if let contentLength = params["CONTENT_LENGTH"], !contentLength.isEmpty {
            headers.add(name: "content-length", value: contentLength)
        }

        self.init(
            method: params["REQUEST_METHOD"] ?? "GET",
            path: path ?? rawPath,
            mountPath: path == nil ? "" : mountPath,
            query: params["QUERY_STRING"] ?? uriQuery,
            headers: headers,
            remoteAddress: params["REMOTE_ADDR"] ?? "",
            isHTTPS: params["HTTPS"].map { $0.lowercased() == "on" } ?? false,
            requestID: params["REQUEST_ID"].flatMap(Self.validRequestID) ?? makeRequestID(),
            body: body
        )
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

    private static func headerName(fromParam name: String) -> String {
        name.lowercased().replacingOccurrences(of: "_", with: "-")
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
