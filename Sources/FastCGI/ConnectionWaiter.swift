import CFastCGI
#if canImport(Glibc)
import Glibc
#endif

/// One server thread's epoll set: the listening socket, registered with `EPOLLEXCLUSIVE` so that a new
/// connection wakes one idle thread rather than all of them, and the stop pipe, which wakes every thread.
struct ConnectionWaiter {
    enum Event { case connection, stop }

    private let epoll: Int32
    private let stop: Int32

    init?(listening: Int32, stop: Int32) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        self.stop = stop
        guard epoll >= 0 else { return nil }
        var onConnection = epoll_event(events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue, data: epoll_data_t(fd: listening))
        var onStop = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: stop))
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, listening, &onConnection) == 0,
              epoll_ctl(epoll, EPOLL_CTL_ADD, stop, &onStop) == 0
        else {
            Glibc.close(epoll)
            return nil
        }
    }

    /// Blocks until a connection may be waiting or a stop is asked for.
    func wait() -> Event {
        var events = [epoll_event](repeating: epoll_event(), count: 2)
        while true {
            let count = epoll_wait(epoll, &events, 2, -1)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return .stop }  // epoll itself failed: stop rather than spin
            return events.prefix(Int(count)).contains { $0.data.fd == stop } ? .stop : .connection
        }
    }

    func close() {
        Glibc.close(epoll)
    }
}
