import FastCGI
import Storage

/// The `200` answers of API routes that only read, kept in memory while the database is unchanged since
/// they were read, so that asking again costs no read transaction.
///
/// A read transaction, even one of a single query, costs a GET by id more than the rest of its work
/// (README, performance). Whether the database changed is told by its change stamp, which every commit
/// changes, whichever process makes it (`coupon-admin keys revoke`, `sync`, `import`, other workers):
/// an answer is given only under the stamp it was read under, and the first request that finds
/// another stamp drops every answer. Answers are kept per credentials (by digest), so a key answered
/// once is not asked about again until something is committed; an answer older than `maximumAge`
/// seconds is read again all the same, so that a key in use is still noted as used once a minute.
///
/// The answers take at most about `maximumBytes`; when they are full, new ones are not kept until the
/// next commit empties them.
public final class AnswerCache: @unchecked Sendable {  // the state below is guarded by `lock`
    struct Key: Hashable {
        /// The credentials' digest (`Authenticator.credentialsDigest(for:)`).
        let credentials: String
        /// The path and query.
        let target: String
    }

    private struct Entry {
        let response: Response
        let readAt: Int
        let cost: Int
    }

    public let maximumBytes: Int
    public let maximumAge: Int
    private let now: @Sendable () -> Int
    private let lock = ReadWriteLock()
    private var stamp: AppDatabase.ChangeStamp?
    private var entries: [Key: Entry] = [:]
    private var bytes = 0

    /// - Parameter now: unix seconds.
    public init(maximumBytes: Int, maximumAge: Int = 60, now: @escaping @Sendable () -> Int) {
        self.maximumBytes = maximumBytes
        self.maximumAge = maximumAge
        self.now = now
    }

    /// The answer read for `key` under `stamp`, if it is kept and not too old.
    func answer(for key: Key, at stamp: AppDatabase.ChangeStamp) -> Response? {
        let (current, found) = lock.reading { self.stamp == stamp ? (true, entries[key]) : (false, nil) }
        guard current else {
            lock.writing {
                guard self.stamp != stamp else { return }
                self.stamp = stamp
                entries = [:]
                bytes = 0
            }
            return nil
        }
        guard let found, now() - found.readAt < maximumAge else { return nil }
        return found.response
    }

    /// Keeps `response`, read for `key` in a snapshot that began after `stamp` was taken. Kept only while
    /// `stamp` is still the latest the cache has seen, and only when it is a `200`.
    func remember(_ response: Response, for key: Key, readAfter stamp: AppDatabase.ChangeStamp) {
        guard response.status == 200 else { return }
        let readAt = now()
        // Body, key and the entry's own keeping: the dictionary slot, the headers, the strings' headers.
        let cost = response.body.count + key.credentials.utf8.count + key.target.utf8.count + 256
        lock.writing {
            guard self.stamp == stamp else { return }
            let replaced = entries[key]?.cost ?? 0
            guard bytes - replaced + cost <= maximumBytes else { return }
            entries[key] = Entry(response: response, readAt: readAt, cost: cost)
            bytes += cost - replaced
        }
    }

    /// Answers kept now, and the bytes they are counted as.
    var count: (answers: Int, bytes: Int) {
        lock.reading { (entries.count, bytes) }
    }
}
