#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes log lines to a file descriptor in batches, so a busy worker makes one `write` every
/// `intervalSeconds` instead of one per request.
///
/// Lines are queued and a background thread writes what has gathered. `urgent` lines (warnings and
/// worse) are written at once, together with everything queued before them, so order is kept and
/// nothing that matters waits. At most `intervalSeconds` of queued lines is lost if the process is killed;
/// `flush()` (called at exit) writes the rest.
public final class LogWriter: @unchecked Sendable {  // all mutable state is guarded by `queue` or `output`
    public static let standardError = LogWriter(descriptor: STDERR_FILENO)

    private let descriptor: Int32
    private let intervalSeconds: Double
    private let queue = NSCondition()
    private var pending: [UInt8] = []
    private var flusherStarted = false
    /// Held while writing, so batches reach the descriptor in the order they were queued.
    private let output = NSLock()

    public init(descriptor: Int32, intervalSeconds: Double = 0.05) {
        self.descriptor = descriptor
        self.intervalSeconds = intervalSeconds
    }

    public func write(_ line: [UInt8], urgent: Bool) {
        queue.lock()
        let wasEmpty = pending.isEmpty
        pending += line
        if !flusherStarted {
            flusherStarted = true
            Thread.detachNewThread { [self] in runFlusher() }
        }
        if wasEmpty { queue.signal() }
        queue.unlock()
        if urgent { flush() }
    }

    /// Writes every queued line now.
    public func flush() {
        output.lock()
        defer { output.unlock() }
        queue.lock()
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        queue.unlock()
        writeAll(batch)
    }

    private func runFlusher() {
        while true {
            queue.lock()
            while pending.isEmpty { queue.wait() }
            queue.unlock()
            Thread.sleep(forTimeInterval: intervalSeconds)
            flush()
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let result = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 && errno == EINTR { continue }
                if result <= 0 { return }
                written += result
            }
        }
    }
}
