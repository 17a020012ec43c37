import Foundation

/// A task executor that runs one request's jobs on the server thread that serves it, until its answer
/// is ready, and hands any job that comes later to Swift's global concurrent executor.
///
/// The request's task, and every task that prefers this executor (`RequestThread.executor`), runs on the
/// thread that calls `runUntilFinished()`: a handler that never waits on anything else finishes without
/// a thread switch, and a handler that blocks (on a database, say) blocks only its own request's thread,
/// never Swift's small cooperative pool. Work that outlives the answer, such as a sync attempt past its
/// deadline, goes on in the global pool.
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    // Safe: `jobs` and `finished` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    /// Set once the request is answered: jobs from then on go to the global executor.
    private var finished = false

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        if finished {
            condition.unlock()
            globalConcurrentExecutor.enqueue(job)
            return
        }
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

    /// Runs jobs as they come until `finish()` has been called and those queued before it have run.
    func runUntilFinished() {
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            let done = finished && batch.isEmpty
            condition.unlock()
            if done { return }
            for job in batch { job.runSynchronously(on: executor) }
        }
    }
}
