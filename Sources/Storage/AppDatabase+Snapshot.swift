import GRDB

extension AppDatabase {
    /// Reads made in one read transaction: each sees the database as the first one found it.
    ///
    /// A request that only reads makes all its reads in one snapshot (its API key's, then its answer's).
    /// Each read transaction costs about as much as a small query: a reader checked out, the WAL index
    /// locked and unlocked. One per request instead of two made a GET by id about a tenth faster (see the
    /// README's performance section).
    public struct Snapshot {
        let db: Database
    }
}
