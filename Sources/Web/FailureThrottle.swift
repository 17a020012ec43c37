import Synchronization

/// Slows, then refuses, whoever keeps failing to authenticate: per client address, and per account
/// for logins. The first `freeFailures` failures are answered as usual; the last of them, and each one
/// after it, blocks its keys for twice as long as the one before (1 s, 2 s, 4 s, ... up to
/// `maximumBlock`), and while blocked an attempt is answered 429 with `Retry-After` without its
/// credentials being looked at. The clock counts whole seconds, so a block runs to the end of the
/// second it would end in: never shorter than its length. A success clears an account's count; any
/// count runs out `forgetAfter` seconds after its last failure.
///
/// Kept in memory, per worker process: a restart forgets it.
public final class FailureThrottle: Sendable {
    private struct Record {
        var failures: Int
        var lastFailure: Int
        var blockedUntil: Int
    }

    private let records = Mutex<[String: Record]>([:])
    /// The latest `blockedUntil` ever set: until then some key may be blocked. Every request asks
    /// `retryAfter`, and this lets it answer without the lock, which dozens of server threads at once
    /// would otherwise queue for (measured: a fifth of a GET by id's rate).
    private let lastBlockEnds = Atomic<Int>(Int.min)
    let freeFailures: Int
    let maximumBlock: Int
    let forgetAfter: Int
    /// Records kept at most; past it, those forgotten by now are dropped, then the oldest.
    let capacity: Int

    public init(freeFailures: Int = 3, maximumBlock: Int = 900, forgetAfter: Int = 900, capacity: Int = 10_000) {
        precondition(freeFailures >= 1, "the first try is always answered")
        self.freeFailures = freeFailures
        self.maximumBlock = maximumBlock
        self.forgetAfter = forgetAfter
        self.capacity = capacity
    }

    /// Seconds to wait before trying again, when any of `keys` is blocked at `now`.
    public func retryAfter(_ keys: [String], now: Int) -> Int? {
        guard lastBlockEnds.load(ordering: .acquiring) > now else { return nil }
        return records.withLock { records in
            let wait = keys.compactMap { records[$0].map { $0.blockedUntil - now } }.max() ?? 0
            return wait > 0 ? wait : nil
        }
    }

    /// Counts a failure against each of `keys`.
    public func recordFailure(_ keys: [String], now: Int) {
        records.withLock { records in
            if records.count >= capacity { Self.prune(&records, now: now, forgetAfter: forgetAfter, capacity: capacity) }
            for key in keys {
                var record = records[key].flatMap { now - $0.lastFailure < forgetAfter ? $0 : nil }
                    ?? Record(failures: 0, lastFailure: now, blockedUntil: 0)
                record.failures += 1
                record.lastFailure = now
                if record.failures >= freeFailures {
                    let doublings = min(record.failures - freeFailures, 20)
                    // `now` is the second the failure came in; the block must outlast the rest of it.
                    record.blockedUntil = now + 1 + min(maximumBlock, 1 << doublings)
                    _ = lastBlockEnds.max(record.blockedUntil, ordering: .releasing)
                }
                records[key] = record
            }
        }
    }

    /// Whether failures of `key` are still remembered at `now`.
    public func hasFailures(_ key: String, now: Int) -> Bool {
        records.withLock { records in records[key].map { now - $0.lastFailure < forgetAfter } ?? false }
    }

    /// Forgets the failures of `keys`.
    public func recordSuccess(_ keys: [String]) {
        records.withLock { records in for key in keys { records[key] = nil } }
    }

    private static func prune(_ records: inout [String: Record], now: Int, forgetAfter: Int, capacity: Int) {
        records = records.filter { now - $0.value.lastFailure < forgetAfter }
        if records.count >= capacity {
            let oldest = records.sorted { $0.value.lastFailure < $1.value.lastFailure }.prefix(records.count - capacity / 2)
            for (key, _) in oldest { records[key] = nil }
        }
    }
}
