import Logging
import WeChat

/// Works through the pending coupons: in the background of every worker (`run`), and once by hand
/// (`coupon-admin sync`). Claims keep two processes off the same coupon; while WeChat calls are
/// paused (refused credentials, spent daily quota) nothing is tried.
public struct SyncLoop: Sendable {
    /// What a pass did.
    public struct Summary: Sendable, Equatable {
        public var synced = 0
        public var rejected = 0
        public var pending = 0
        /// Taken by another process meanwhile.
        public var skipped = 0
        /// Why the pass stopped early, if it did.
        public var pausedBy: CallPause?

        public init() {}

        public var tried: Int { synced + rejected + pending }

        mutating func count(_ result: CouponSync.Result) {
            switch result {
            case .synced: synced += 1
            case .rejected: rejected += 1
            case .pending: pending += 1
            case .notClaimed: skipped += 1
            }
        }
    }

    let sync: CouponSync
    /// Coupons synced at once.
    let concurrency: Int
    /// The wait between passes.
    let interval: Duration

    public static let defaultConcurrency = 8

    public init(sync: CouponSync, concurrency: Int = defaultConcurrency, interval: Duration = .seconds(1)) {
        self.sync = sync
        self.concurrency = concurrency
        self.interval = interval
    }

    /// One pass over the pending coupons whose next attempt is due, or over all of them with `ignoringBackoff`.
    public func pass(ignoringBackoff: Bool = false) async throws -> Summary {
        var summary = Summary()
        var afterRow: Int64 = 0
        while !Task.isCancelled {
            if let pause = sync.pause {
                summary.pausedBy = pause
                break
            }
            let batch = try sync.store.couponsDueForSync(
                now: sync.now(), limit: concurrency * 4, afterRow: afterRow, ignoringBackoff: ignoringBackoff
            )
            guard let last = batch.last else { break }
            afterRow = last.row
            try await withThrowingTaskGroup(of: CouponSync.Result.self) { group in
                var queue = batch.makeIterator()
                for _ in 0..<concurrency {
                    guard let next = queue.next() else { break }
                    group.addTask { try await sync.sync(outCouponID: next.outCouponID) }
                }
                while let result = try await group.next() {
                    summary.count(result)
                    if let next = queue.next() { group.addTask { try await sync.sync(outCouponID: next.outCouponID) } }
                }
            }
        }
        return summary
    }

    /// A pass every `interval` until the task is cancelled.
    public func run(logger: Logger) async {
        var lastPause: CallPause?
        while !Task.isCancelled {
            do {
                let summary = try await pass()
                if summary.tried > 0 {
                    // A pass that got nothing to WeChat means WeChat is not being reached: worth a warning.
                    let level: Logger.Level = summary.synced == 0 && summary.pending > 0 ? .warning : .info
                    logger.log(level: level, "sync pass", metadata: [
                        "synced": "\(summary.synced)", "rejected": "\(summary.rejected)", "pending": "\(summary.pending)",
                    ])
                }
                if let pause = summary.pausedBy, pause != lastPause {
                    logger.error("WeChat calls paused", metadata: ["reason": "\(pause.description)"])
                }
                lastPause = summary.pausedBy
            } catch {
                logger.error("sync pass failed", metadata: ["reason": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
