import FastCGI
import Synchronization
import Sync

/// How long an answer waits for WeChat.
enum WeChatWait {
    /// The outcome of a sync attempt (or any work with WeChat), or nil when it has not finished within `deadline`. The attempt runs on
    /// the request's thread; past the deadline it goes on by itself, off that thread, and records its
    /// outcome when it has one.
    static func outcome<Result: Sendable>(within deadline: Duration, _ attempt: @escaping @Sendable () async throws -> Result) async -> Result? {
        await withCheckedContinuation { continuation in
            let pending = Mutex<CheckedContinuation<Result?, Never>?>(continuation)
            let resume: @Sendable (Result?) -> Void = { result in pending.withLock { $0.take() }?.resume(returning: result) }
            let timer = Task(executorPreference: globalConcurrentExecutor) {
                try? await Task.sleep(for: deadline)
                resume(nil)
            }
            Task(executorPreference: RequestThread.executor ?? globalConcurrentExecutor) {
                resume(try? await attempt())
                timer.cancel()
            }
        }
    }
}

extension HTTPError {
    static let noSuchCoupon = HTTPError(status: 404, detail: "There is no coupon with this out_coupon_id.")
    static let noSuchUserCoupon = HTTPError(status: 404, detail: "There is no user coupon with this out_user_coupon_id.")
}
