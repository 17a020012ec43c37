/// One HTTP request as the web server passed it over FastCGI, copied into Swift values.
public struct Request: Sendable {
    /// `GET`, `POST`, ... as sent by the client.
    public var method: String
    /// The path below the mount point, still percent-encoded, always starting with `/`.
    public var path: String
    /// Where nginx mounts the application (the `MOUNT_PATH` param): `""` at the root of a server, `/coupon-admin` under a prefix.
    public var mountPath: String
    /// The raw query string, without the `?`.
    public var query: String
    public var headers: HTTPHeaders
    public var remoteAddress: String
    /// True when the client reached nginx over HTTPS.
    public var isHTTPS: Bool
    /// nginx's `$request_id`, or one made up by the worker when the request came without one.
    public var requestID: String
    /// True when nginx's metrics location, which lets only the addresses it allows through, passed the
    /// request (the `METRICS_ALLOWED` param): `/metrics` answers no other.
    public var isFromMetricsLocation: Bool
    public var body: [UInt8]

    public init(
        method: String,
        path: String,
        mountPath: String = "",
        query: String = "",
        headers: HTTPHeaders = HTTPHeaders(),
        remoteAddress: String = "",
        isHTTPS: Bool = false,
        requestID: String = "",
        isFromMetricsLocation: Bool = false,
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.mountPath = mountPath
        self.query = query
        self.headers = headers
        self.remoteAddress = remoteAddress
        self.isHTTPS = isHTTPS
        self.requestID = requestID
        self.isFromMetricsLocation = isFromMetricsLocation
        self.body = body
    }

    /// The path as the client sent it, mount point included.
    public var fullPath: String { mountPath + path }

    /// An absolute path for a location inside the application, honouring the mount point:
    /// `url(for: "/healthz")` (or `"healthz"`) is `/coupon-admin/healthz` when mounted under `/coupon-admin`.
    public func url(for appPath: String) -> String {
        appPath.hasPrefix("/") ? mountPath + appPath : mountPath + "/" + appPath
    }
}
