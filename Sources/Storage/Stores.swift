import Accounts
import Coupons

// The stores the program uses: one protocol per aggregate. `AppDatabase` implements each over SQLite
// (its `...Table` types); another engine implements the same protocols. The optional arguments' defaults
// are given once, here: a store must implement every requirement itself, or the default calls itself.

/// Coupons and their outbox: each coupon, the queue of its changes for WeChat, the calls made for it, and its user coupons.
public protocol CouponStore: Sendable {
    /// Stores a new coupon, pending sync, unless its `out_coupon_id` is taken, and records who stored it
    /// in the audit log. With `claim`, the new coupon's sync is claimed in the same transaction, so that
    /// no other attempt takes it first.
    func createCoupon(_ coupon: Coupon, createdBy: String?, now: Int, claimingSync claim: SyncClaim?) throws -> CreateOutcome
    func coupon(outCouponID: String) throws -> CouponRecord?
    /// Up to `limit` coupons older than row `before`, newest first.
    func coupons(matching filter: CouponFilter, limit: Int, before: Int64?) throws -> CouponListPage
    /// Replaces a coupon's body, while its status is 1. A coupon WeChat has gets an `update` queued (one
    /// at most: it sends the body as it is then); one WeChat does not have is sent with `add` as it is.
    /// Each change asked for (this and the two below) is refused when the stored coupon's version is
    /// not `expected`, and moves the version on when it is queued.
    func editCoupon(_ coupon: Coupon, expecting expected: ExpectedVersion, by actor: String, now: Int) throws -> ChangeOutcome
    /// Queues a status change: only WeChat's transitions, from the status the coupon has here (which
    /// counts the changes still queued).
    func requestStatus(_ status: CouponStatus, outCouponID: String, expecting expected: ExpectedVersion, by actor: String, now: Int) throws -> ChangeOutcome
    /// Queues a stock update for an active coupon.
    func requestStock(
        issuedNum: Int, receiveNum: Int, outCouponID: String, expecting expected: ExpectedVersion, by actor: String, now: Int
    ) throws -> ChangeOutcome
    /// The oldest change of the coupon's queue that is still to be sent.
    func nextChange(outCouponID: String) throws -> CouponChange?
    /// Every change of a coupon's queue, oldest first; with `unsentOnly`, those still to send or refused.
    func changes(outCouponID: String, unsentOnly: Bool) throws -> [CouponChange]
    /// Records an attempt to send `change` and what came of it, moves the coupon's queue on, and enters
    /// it in the audit log, in one transaction. While more is left to send after a change WeChat took
    /// (or refused, for a user coupon), `holder`'s claim is renewed until `claimUntil`; otherwise it ends.
    func recordChange(_ change: CouponChange, outCouponID: String, attempt: SyncAttempt, result: ChangeResult, holder: String, claimUntil: Double, now: Int) async throws -> (record: CouponRecord, moreToSend: Bool)
    /// Records an attempt and moves the coupon to its outcome (nil: leaves its state as it was), in
    /// one transaction, and ends `holder`'s claim on it. An outcome is also entered in the audit log as
    /// `action` by `actor`. Nil when there is no such coupon.
    ///
    /// `wechatBody` is the body WeChat is known to have after an `add` (the one sent, or the one `get`
    /// showed): when the coupon was edited meanwhile, an `update` with the newer body is queued.
    ///
    /// Async, like `claimSync`, because attempts run on Swift's few cooperative threads: the commit
    /// and its fsync wait on the database's own writer thread instead of holding one of them.
    @discardableResult
    func recordSync(outCouponID: String, attempt: SyncAttempt, outcome: SyncOutcome?, wechatBody: String?, holder: String?, actor: String, action: String, now: Int) async throws -> CouponRecord?
    func syncBacklog() throws -> SyncBacklog
    /// The last failed WeChat call made for a coupon, if any.
    func lastFailedSyncAttempt() throws -> (outCouponID: String, attempt: SyncAttempt)?
    /// Every attempt made for a coupon, oldest first.
    func syncAttempts(outCouponID: String) throws -> [SyncAttempt]
    /// A coupon, every attempt made for it and, unless it is synced, its changes still to send or refused:
    /// read together.
    func couponWithAttemptsAndChanges(outCouponID: String) throws -> (record: CouponRecord, attempts: [SyncAttempt], unsentChanges: [CouponChange])?
    /// Takes the sync of one pending coupon for `lease` seconds, so that no other attempt (from this
    /// process or another) runs at the same time. Answers how many attempts were begun before: those
    /// recorded, plus one if a claim left by a process that died is taken over. Nil when the coupon is
    /// not pending or someone else's claim has not run out.
    func claimSync(outCouponID: String, holder: String, now: Double, lease: Double) async throws -> Int?
    /// Makes a rejected or pending coupon due for an attempt now, entered in the audit log as asked
    /// for by `actor`. False when there is no such coupon or it is synced.
    func requeueSync(outCouponID: String, actor: String, now: Int) throws -> Bool
    /// Pending coupons that nobody holds a live claim on, oldest first, from after `afterRow`: only those
    /// whose next attempt is due by `now`, or every one with `ignoringBackoff`.
    func couponsDueForSync(now: Double, limit: Int, afterRow: Int64, ignoringBackoff: Bool) throws -> [(row: Int64, outCouponID: String)]
    /// Stores a claim of an active coupon by `openID` and queues `add_user_coupon`, after the checks WeChat
    /// leaves to the merchant: the claim window, `limit_num_one_person` and `total_num`.
    func claimUserCoupon(outUserCouponID: String, openID: String, outCouponID: String, receiveTime: Int, by actor: String, now: Int) throws -> UserCouponOutcome
    /// Records when the user used the coupon and queues `update_user_coupon`.
    func setUserCouponUseTime(_ useTime: Int, outUserCouponID: String, by actor: String, now: Int) throws -> UserCouponOutcome
    /// Sets the user coupon's status and queues `update_usercoupon_status`.
    func setUserCouponStatus(_ status: UserCouponStatus, outUserCouponID: String, by actor: String, now: Int) throws -> UserCouponOutcome
    func userCoupon(outUserCouponID: String) throws -> UserCouponRecord?
    /// A user's coupons as stored here, oldest first, from `offset`.
    func userCoupons(openID: String, limit: Int, offset: Int) throws -> (total: Int, records: [UserCouponRecord])
    /// Up to `limit` user coupons whose last change WeChat refused, newest first.
    func rejectedUserCoupons(limit: Int) throws -> [UserCouponRecord]
    /// Stores or updates one coupon from WeChat's list, in one transaction, entered in the audit log as
    /// `coupon.import` when it is new.
    func importCoupon(_ wechat: WeChatCoupon, by actor: String, now: Int) throws -> ImportResult
    /// Stores a spreadsheet's coupons in one transaction, each with its audit entry, and the upload
    /// itself. A coupon stored before with the same body is counted, not stored again; one stored with
    /// another body stops the whole upload.
    func storeUpload(fileName: String, coupons: [(row: Int, coupon: Coupon)], by actor: String, now: Int) throws -> UploadOutcome
    /// An upload with each of its coupons as it stands now, in the spreadsheet's order.
    func upload(id: Int64) throws -> CouponUpload?
}

extension CouponStore {
    public func createCoupon(_ coupon: Coupon, createdBy: String? = nil, now: Int, claimingSync claim: SyncClaim? = nil) throws -> CreateOutcome {
        try createCoupon(coupon, createdBy: createdBy, now: now, claimingSync: claim)
    }

    public func coupons(matching filter: CouponFilter, limit: Int, before: Int64? = nil) throws -> CouponListPage {
        try coupons(matching: filter, limit: limit, before: before)
    }

    public func changes(outCouponID: String, unsentOnly: Bool = false) throws -> [CouponChange] {
        try changes(outCouponID: outCouponID, unsentOnly: unsentOnly)
    }

    @discardableResult
    public func recordSync(outCouponID: String, attempt: SyncAttempt, outcome: SyncOutcome?, wechatBody: String? = nil, holder: String? = nil, actor: String = AppDatabase.syncActor, action: String = "coupon.sync", now: Int) async throws -> CouponRecord? {
        try await recordSync(outCouponID: outCouponID, attempt: attempt, outcome: outcome, wechatBody: wechatBody, holder: holder, actor: actor, action: action, now: now)
    }

    public func couponsDueForSync(now: Double, limit: Int, afterRow: Int64 = 0, ignoringBackoff: Bool = false) throws -> [(row: Int64, outCouponID: String)] {
        try couponsDueForSync(now: now, limit: limit, afterRow: afterRow, ignoringBackoff: ignoringBackoff)
    }
}

extension AppDatabase.CouponTables: CouponStore {}

extension CouponStore {
    /// Changes asked for without a version to check (the command line, the sync's own work, tests).
    public func editCoupon(_ coupon: Coupon, by actor: String, now: Int) throws -> ChangeOutcome {
        try editCoupon(coupon, expecting: .any, by: actor, now: now)
    }

    public func requestStatus(_ status: CouponStatus, outCouponID: String, by actor: String, now: Int) throws -> ChangeOutcome {
        try requestStatus(status, outCouponID: outCouponID, expecting: .any, by: actor, now: now)
    }

    public func requestStock(issuedNum: Int, receiveNum: Int, outCouponID: String, by actor: String, now: Int) throws -> ChangeOutcome {
        try requestStock(issuedNum: issuedNum, receiveNum: receiveNum, outCouponID: outCouponID, expecting: .any, by: actor, now: now)
    }
}

/// Staff accounts with their sessions, and API keys.
public protocol AccountStore: Sendable {
    func addUser(name: String, role: Role, passwordHash: String, actor: String, now: Int) throws
    func users() throws -> [StaffUser]
    func user(named name: String) throws -> StaffUser?
    /// False when there is no such account.
    func setUserRole(name: String, role: Role, actor: String, now: Int) throws -> Bool
    /// Stores the same password hashed anew (stronger parameters); the account's sessions stay. False
    /// when there is no such account.
    func rehashUserPassword(name: String, passwordHash: String, now: Int) throws -> Bool
    /// Sets a new password chosen for the account and ends all its sessions. False when there is no
    /// such account.
    func resetUserPassword(name: String, passwordHash: String, actor: String, now: Int) throws -> Bool
    /// Sets `name`'s own password and ends every other session of the account (the one with `keptSession`,
    /// its id's hash, stays), entered in the audit log as done by the account itself. False when there
    /// is no such live account.
    func changeOwnPassword(name: String, passwordHash: String, keptSession: String, now: Int) throws -> Bool
    /// Ends the account's sessions and keeps it from logging in. False when there is no such account
    /// or it is disabled already; throws `AccountError.lastAdmin` rather than disable the last admin.
    func disableUser(name: String, actor: String, now: Int) throws -> Bool
    /// Lets a disabled account log in again. False when there is no such account or it is not disabled.
    func enableUser(name: String, actor: String, now: Int) throws -> Bool
    func addAPIKey(name: String, role: Role, keyHash: String, actor: String, now: Int) throws
    /// Every key, revoked ones included, oldest first.
    func apiKeys() throws -> [StoredAPIKey]
    /// The live (not revoked) key with this hash.
    func liveAPIKey(hash: String) throws -> StoredAPIKey?
    /// False when there is no such live key.
    func revokeAPIKey(name: String, actor: String, now: Int) throws -> Bool
    /// Records that a key was used at `now`, at most once a minute, so that busy keys do not turn
    /// every read into a write.
    func noteAPIKeyUse(_ key: StoredAPIKey, now: Int) throws
    /// Starts a session for `userName`, ending the one the browser came with (`replacing`), if any:
    /// a login always gets a new id. Recorded in the audit log. Sessions unused since `idleSince`, or
    /// made before `madeBefore`, are deleted meanwhile: they can never be used again, and so the table
    /// holds no more rows than there are logins within a session's lifetime.
    func startSession(idHash: String, userName: String, csrfToken: String, replacing oldHash: String?, now: Int, idleSince: Int, madeBefore: Int) throws
    func session(idHash: String) throws -> StoredSession?
    /// Keeps a session from going idle; written at most once a minute.
    func touchSession(idHash: String, lastSeenAt: Int, now: Int) throws
    /// Ends a session (logout, or found expired), recorded in the audit log when `actor` logged out.
    func endSession(idHash: String, loggedOut actor: String?, now: Int) throws
}

extension AppDatabase.AccountTables: AccountStore {}

/// Who did what, when: entries are only ever added.
public protocol AuditLog: Sendable {
    /// A coupon's entries, oldest first.
    func history(ofCoupon outCouponID: String) throws -> [AuditEntry]
    /// Up to `limit` entries older than `before` that `filter` lets through, newest first.
    func auditEntries(matching filter: AuditFilter, limit: Int, before: Int64?) throws -> AuditPage
    /// Adds an entry on its own, for what is not a change of stored data (a failed login, say).
    func append(_ entry: AuditEntry) throws
}

extension AuditLog {
    public func auditEntries(matching filter: AuditFilter = AuditFilter(), limit: Int, before: Int64? = nil) throws -> AuditPage {
        try auditEntries(matching: filter, limit: limit, before: before)
    }
}

extension AppDatabase.AuditTable: AuditLog {}

/// WeChat's access token, shared by every process on the same data, with one claim on fetching a new one.
public protocol AccessTokenStore: Sendable {
    /// The WeChat access token shared by the worker processes using this database, under `key`
    /// (the appid and a hash of the secret, so a changed secret never reuses the old token).
    func sharedAccessToken(key: String) throws -> (value: String, expiresAt: Double)?
    /// Takes the right to fetch a token for `lease` seconds, unless another holder's claim is still
    /// running, or a token that lasts beyond `storedExpiresAfter` is stored already (another process
    /// may have stored one since the caller last looked).
    func claimAccessTokenFetch(key: String, holder: String, now: Double, lease: Double, unlessStoredExpiresAfter storedExpiresAfter: Double) throws -> Bool
    /// Stores a fetched token and ends `holder`'s claim.
    func storeAccessToken(key: String, holder: String, value: String, expiresAt: Double, fetchedAt: Double) throws
    /// Ends `holder`'s claim without a token, recording why the fetch failed.
    func releaseAccessTokenClaim(key: String, holder: String, error: String) throws
    /// Records why a fetch made without a claim failed, whether or not a token was ever stored.
    func recordAccessTokenFailure(key: String, error: String) throws
    func accessTokenStatus(key: String) throws -> AccessTokenStatus?
    /// Forgets the token if it is still `value`: WeChat refused it, and a newer one must not be lost.
    func discardAccessToken(key: String, value: String) throws
}

extension AppDatabase.AccessTokenTable: AccessTokenStore {}

/// Runs of an import of WeChat's coupons: one at a time, and their progress.
public protocol ImportStore: Sendable {
    /// Starts recording an import, unless one is running (its heartbeat newer than `staleAfter` seconds):
    /// then answers that one, and false.
    func startImportRun(by actor: String, now: Int, staleAfter: Int) throws -> (run: ImportRun, started: Bool)
    /// Stores an import's progress; `state` ends it as `done` or `failed`.
    func recordImportProgress(_ run: ImportRun, now: Int) throws
    func importRun(id: Int64) throws -> ImportRun?
}

extension AppDatabase.ImportTable: ImportStore {}

/// Reads made in one read transaction, each seeing the data as the first found it: what the API's
/// read-only routes read, the request's API key among them.
public protocol ReadSnapshot {
    /// Up to `limit` coupons older than row `before`, newest first.
    func coupons(matching filter: CouponFilter, limit: Int, before: Int64?) throws -> CouponListPage
    /// Up to `limit` coupons `filter` lets through, in `order`, from the `offset`th: the admin pages'
    /// numbered pages.
    func coupons(matching filter: CouponFilter, order: CouponOrder, limit: Int, offset: Int) throws -> [CouponRecord]
    /// How many coupons `filter` lets through, counted up to `bound`: `bound + 1` means more than `bound`.
    func countCoupons(matching filter: CouponFilter, upTo bound: Int) throws -> Int
    /// A coupon, every attempt made for it and, unless it is synced, its changes still to send or refused.
    func couponWithAttemptsAndChanges(outCouponID: String) throws -> (record: CouponRecord, attempts: [SyncAttempt], unsentChanges: [CouponChange])?
    /// The live (not revoked) key with this hash.
    func liveAPIKey(hash: String) throws -> StoredAPIKey?
}

extension ReadSnapshot {
    public func coupons(matching filter: CouponFilter, limit: Int, before: Int64? = nil) throws -> CouponListPage {
        try coupons(matching: filter, limit: limit, before: before)
    }
}

/// What answers reads from one snapshot (`ReadSnapshot`).
public protocol SnapshotReading: Sendable {
    /// Runs `body` in one snapshot. `body` should wait for nothing but the data: the snapshot holds a reader.
    func read<T>(_ body: (any ReadSnapshot) throws -> T) throws -> T
}

extension AppDatabase.Snapshot: ReadSnapshot {}

extension AppDatabase: SnapshotReading {
    /// Runs `body` in one snapshot. `body` should wait for nothing but the database: the snapshot holds
    /// one of the few readers, and the WAL cannot be checkpointed past it.
    public func read<T>(_ body: (any ReadSnapshot) throws -> T) throws -> T {
        try readers.read { db in try body(Snapshot(db: db)) }
    }
}
