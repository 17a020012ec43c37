import CFastCGI
import Foundation
import Logging
import Synchronization

/// A FastCGI server on libfcgi: `maxInFlight` threads take turns accepting connections, each reads one
/// request with libfcgi, runs the responder's task on its own thread, and writes the answer back.
///
/// The threads take turns at a blocking `accept()`: per request that is the fewest system calls and
/// thread wake-ups (measured against epoll and poll variants with deploy/bench). Each connection gets
/// the client timeout for every read and write, so a client that stalls holds one thread for that long
/// at most. A shutdown wakes the thread blocked in `accept()` with SIGUSR2. The listening socket is
/// never shut down, so a socket inherited from systemd keeps queueing connections for the next worker.
public final class Server: Sendable {
    public enum Outcome: Equatable, Sendable {
        /// Every request in flight finished.
        case drained
        /// The shutdown timeout passed with requests still running.
        case timedOut(unfinished: Int)
    }

    private let configuration: ServerConfiguration
    private let logger: Logger
    private let listener: ListeningSocket
    private let stopPipe: (read: Int32, write: Int32)
    private let signalPipe: (read: Int32, write: Int32)
    private let stopping = Atomic<Bool>(false)
    /// Threads that may be using the listening socket right now.
    private let threadsAccepting = Atomic<Int>(0)
    /// Held by the thread whose turn it is to accept.
    private let acceptTurn = NSLock()
    /// The thread inside `FCGX_Accept_r`, the only one a wake signal may reach.
    private let acceptingThread = Mutex<pthread_t?>(nil)
    private let threads = ThreadGroup()
    private let cycle: RequestCycle

    /// Where the server listens, with the real port when port 0 was asked for.
    public var boundAddress: String { listener.boundAddress }

    /// Opens the listening socket. Nothing is accepted until `start()`.
    public init(configuration: ServerConfiguration, responder: any Responder, logger: Logger) throws(ListenError) {
        guard FCGX_Init() == 0, cfastcgi_install_wake_signal(Self.wakeSignal) == 0 else {
            throw ListenError(description: "libfcgi failed to initialise")
        }
        self.configuration = configuration
        self.logger = logger
        self.cycle = RequestCycle(maxBodyBytes: configuration.maxBodyBytes, responder: responder, logger: logger)
        self.listener = try ListeningSocket.open(
            configuration.listen,
            socketMode: configuration.socketMode,
            backlog: configuration.listenBacklog
        )
        self.stopPipe = try Self.makePipe()
        self.signalPipe = try Self.makePipe()
    }

    /// Starts the threads that accept and serve requests.
    public func start() {
        logger.info(
            "listening",
            metadata: ["address": "\(listener.boundAddress)", "max_in_flight": "\(configuration.maxInFlight)"]
        )
        for index in 0..<max(1, configuration.maxInFlight) {
            threads.enter()
            let thread = Thread { [self] in
                _ = cfastcgi_name_thread("fastcgi-\(index)")
                serveConnections()
                threads.leave()
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
    }

    /// Makes SIGTERM, SIGINT and SIGUSR1 ask for a graceful shutdown, replacing libfcgi's own handlers.
    /// Call it before `start()`, on the thread that starts the server.
    public func shutDownOnSignals() {
        _ = cfastcgi_forward_shutdown_signals(signalPipe.write)
    }

    /// Asks the server to stop accepting. Safe from any thread, any number of times.
    public func shutdown() {
        if !stopping.exchange(true, ordering: .sequentiallyConsistent) {
            var byte: UInt8 = 1
            _ = write(stopPipe.write, &byte, 1)
        }
    }

    /// Blocks until a shutdown is asked for (by `shutdown()` or a signal), then lets the requests in flight
    /// finish within the shutdown timeout.
    public func waitUntilStopped() -> Outcome {
        var fds = [
            pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0),
            pollfd(fd: signalPipe.read, events: Int16(POLLIN), revents: 0),
        ]
        while fds[0].revents == 0 {
            guard poll(&fds, nfds_t(fds.count), -1) >= 0 || errno == EINTR else { break }
            if fds[1].revents != 0 {
                var signal: UInt8 = 0
                _ = read(signalPipe.read, &signal, 1)
                logger.notice("shutting down", metadata: ["signal": "\(Self.signalName(Int32(signal)))"])
                shutdown()
                fds[1].revents = 0
            }
        }
        shutdown()  // already asked for, unless poll itself failed
        let deadline = Date().addingTimeInterval(configuration.shutdownTimeout / .seconds(1))
        // Wake the thread waiting in accept() (again and again, in case the signal came just before it
        // entered), then refuse new connections at once.
        while threadsAccepting.load(ordering: .sequentiallyConsistent) > 0 && Date() < deadline {
            acceptingThread.withLock { thread in
                if let thread { pthread_kill(thread, Self.wakeSignal) }
            }
            usleep(2_000)
        }
        listener.close()
        let unfinished = threads.wait(until: deadline)
        if unfinished == 0 {
            logger.notice("stopped")
            return .drained
        }
        logger.error("shutdown timeout passed with requests still running", metadata: ["unfinished": "\(unfinished)"])
        return .timedOut(unfinished: unfinished)
    }

    // MARK: - Accepting

    private func serveConnections() {
        _ = cfastcgi_unblock_signal(Self.wakeSignal)
        var request = FCGX_Request()
        // No listening socket of libfcgi's: connections are accepted here (cfastcgi_read_request).
        FCGX_InitRequest(&request, -1, 0)
        while true {
            var connection: Int32 = -1  // -1: the one the last request kept open (FCGI_KEEP_CONN)
            if request.ipcFd < 0 {
                guard let accepted = acceptNext() else { break }
                listener.prepare(connection: accepted, timeout: configuration.clientTimeout)
                connection = accepted
            }
            guard cfastcgi_read_request(&request, connection) == 0 else { continue }
            // libfcgi closes a connection lingering: shutdown(), then reads until the peer closes too
            // (up to 2 s at a time), so that input still arriving cannot reset the connection before
            // the answer is read. Once the request's input has been read to its end, or reading it
            // failed, there is none to wait for: a plain close() frees the thread at once.
            if cycle.serve(&request) != .leftUnread { request.detached = 1 }
            FCGX_Finish_r(&request)
        }
        FCGX_Free(&request, 1)
    }

    /// Takes the next connection; nil once the server is stopping.
    ///
    /// Only `accept()` itself is taken in turns: the connection's records are read after the turn is
    /// passed on, so that a client that sends nothing holds up no one but its own thread, and that one
    /// for no longer than the client timeout.
    private func acceptNext() -> Int32? {
        // Announce the use of the listening socket before checking for a stop, so that
        // `waitUntilStopped` closes it only once no thread can touch it.
        threadsAccepting.add(1, ordering: .sequentiallyConsistent)
        defer { threadsAccepting.subtract(1, ordering: .sequentiallyConsistent) }
        acceptTurn.lock()
        defer { acceptTurn.unlock() }
        while !stopping.load(ordering: .sequentiallyConsistent) {
            acceptingThread.withLock { $0 = pthread_self() }
            let connection = accept4(listener.fd, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
            let error = errno
            acceptingThread.withLock { $0 = nil }
            if connection >= 0 { return connection }
            switch error {
            case EINTR, ECONNABORTED, EPROTO, EAGAIN, EWOULDBLOCK:
                continue  // woken for a shutdown, or the client left before we got to it
            default:
                // Out of file descriptors and the like: say so, and give the system a moment.
                logger.error("accept failed", metadata: ["error": "\(String(cString: strerror(error)))"])
                usleep(100_000)
            }
        }
        return nil
    }

    private static let wakeSignal = SIGUSR2

    private static func makePipe() throws(ListenError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ListenError(description: "pipe(): \(lastError())") }
        for fd in fds {
            // Non-blocking, so that a signal handler writing to a full pipe never blocks.
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }

    private static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGUSR1: "SIGUSR1"
        default: "signal \(signal)"
        }
    }
}
