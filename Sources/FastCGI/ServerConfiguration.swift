/// How the FastCGI server listens and what it accepts.
public struct ServerConfiguration: Sendable {
    public var listen: ListenAddress
    /// Permissions of a unix socket the worker creates.
    public var socketMode: UInt32
    /// Requests handled at once; past this the worker stops accepting and the kernel's backlog queues.
    public var maxInFlight: Int
    public var listenBacklog: Int32
    /// The largest request body accepted; a larger `CONTENT_LENGTH` is refused with 413 before reading.
    public var maxBodyBytes: Int
    /// How long in-flight requests may take to finish after a shutdown is asked for.
    public var shutdownTimeout: Duration
    /// How long a connection may keep the worker waiting for its next bytes (a request's records and
    /// body), or for room to write its answer, before it alone is closed.
    public var clientTimeout: Duration

    public static let defaultSocketMode: UInt32 = 0o660
    public static let defaultMaxInFlight = 256
    public static let defaultListenBacklog: Int32 = 1024
    public static let defaultMaxBodyBytes = 1 << 20
    public static let defaultShutdownTimeout: Duration = .seconds(10)
    public static let defaultClientTimeout: Duration = .seconds(10)

    public init(
        listen: ListenAddress,
        socketMode: UInt32 = defaultSocketMode,
        maxInFlight: Int = defaultMaxInFlight,
        listenBacklog: Int32 = defaultListenBacklog,
        maxBodyBytes: Int = defaultMaxBodyBytes,
        shutdownTimeout: Duration = defaultShutdownTimeout,
        clientTimeout: Duration = defaultClientTimeout
    ) {
        self.listen = listen
        self.socketMode = socketMode
        self.maxInFlight = maxInFlight
        self.listenBacklog = listenBacklog
        self.maxBodyBytes = maxBodyBytes
        self.shutdownTimeout = shutdownTimeout
        self.clientTimeout = clientTimeout
    }
}
