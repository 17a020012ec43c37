import Foundation

/// A task executor that runs jobs on the one thread that calls `run(until:)`.
///
/// Each server thread owns one and runs its request's task on it: a handler that never waits on
/// anything else finishes without a thread switch, and a handler that blocks (on a database, say)
/// blocks only its own request's thread, never Swift's small cooperative pool. Child tasks inherit
/// the preference, so a request's work stays on its thread.
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    // Safe: `jobs` and `finished` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var finished = false

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Marks the awaited work done, from whichever thread finishes it.
    func finish() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    /// Runs jobs as they come until `finish()` has been called, then makes the executor ready for the next run.
    func runUntilFinished() {
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            let done = finished && batch.isEmpty
            if done { finished = false }
            condition.unlock()
            if done { return }
            for job in batch { job.runSynchronously(on: executor) }
        }
    }
}
