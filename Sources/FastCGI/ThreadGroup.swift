import Foundation

/// Counts running threads and lets one thread wait, with a deadline, until none are left.
final class ThreadGroup: @unchecked Sendable {
    // Safe: `running` is only read or written while `condition` is locked.
    private let condition = NSCondition()
    private var running = 0

    func enter() {
        condition.lock()
        running += 1
        condition.unlock()
    }

    func leave() {
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every thread has left or `deadline` has passed; returns how many are still running.
    func wait(until deadline: Date) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while running > 0, condition.wait(until: deadline) {}
        return running
    }
}
