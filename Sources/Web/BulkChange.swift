import Coupons
import Storage
import Sync

/// One change asked of many coupons at once (the list's selection, `POST /api/v1/coupons/bulk`): each
/// coupon goes through the same rules and outbox as it would alone, then all that were queued are sent
/// to WeChat together, for at most the sync deadline in all; what each came to is read back after.
struct BulkChange {
    enum Action: String, CaseIterable, Sendable {
        case activate, expire, void, retry

        /// The status a status change asks for; nil for a retry of the sync.
        var status: CouponStatus? {
            switch self {
            case .activate: .active
            case .expire: .expired
            case .void: .voided
            case .retry: nil
            }
        }
    }

    /// What the change came to for one coupon.
    enum Outcome: Equatable, Sendable {
        /// WeChat has it.
        case done
        /// Stored, and waiting to reach WeChat.
        case queued
        /// The coupon already is so (for a retry: WeChat has everything).
        case unchanged
        /// Not allowed by the rules; nothing stored.
        case refused(ChangeRefusal)
        /// WeChat refused it, for this reason; stored as rejected.
        case rejected(String)
        case notFound

        /// An outcome's kind, without its reason: what the answers and pages name and count.
        enum Kind: String, CaseIterable {
            case done, queued, unchanged, refused, rejected
            case notFound = "not_found"
        }

        var kind: Kind {
            switch self {
            case .done: .done
            case .queued: .queued
            case .unchanged: .unchanged
            case .refused: .refused
            case .rejected: .rejected
            case .notFound: .notFound
            }
        }

        var name: String { kind.rawValue }

        static let names = Kind.allCases.map(\.rawValue)
    }

    /// The most coupons one bulk change takes.
    static let maximumCoupons = 1000
    /// Coupons sent to WeChat at once.
    static let concurrency = 4

    let services: WebServices

    /// Makes the change to each of `ids`, in order, and says what each came to.
    func run(_ action: Action, on ids: [String], by actor: String) async throws -> [(id: String, outcome: Outcome)] {
        let database = services.database
        var outcomes: [(id: String, outcome: Outcome)] = []
        var queued: [String] = []
        for id in ids {
            let outcome: Outcome
            if let status = action.status {
                switch try database.coupons.requestStatus(status, outCouponID: id, by: actor, now: services.now()) {
                case .queued: outcome = .queued
                case .unchanged: outcome = .unchanged
                case .refused(.noSuchCoupon): outcome = .notFound
                case .refused(let refusal): outcome = .refused(refusal)
                }
            } else if try database.coupons.requeueSync(outCouponID: id, actor: actor, now: services.now()) {
                outcome = .queued
            } else {
                outcome = try database.coupons.coupon(outCouponID: id) == nil ? .notFound : .unchanged
            }
            if outcome == .queued { queued.append(id) }
            outcomes.append((id, outcome))
        }
        guard let sync = services.sync, !queued.isEmpty else { return outcomes }
        _ = await WeChatWait.outcome(within: services.syncDeadline) { [queued] in
            await Self.send(queued, with: sync)
            return true
        }
        return try outcomes.map { id, outcome in
            guard outcome == .queued, let record = try database.coupons.coupon(outCouponID: id) else { return (id, outcome) }
            switch record.syncState {
            case .synced: return (id, .done)
            case .rejected: return (id, .rejected(record.syncError ?? ""))
            case .pending: return (id, .queued)
            }
        }
    }

    /// The ids of the coupons `filter` lets through, newest first; nil when there are more than `maximumCoupons`.
    func ids(matching filter: CouponFilter) throws -> [String]? {
        let page = try services.database.coupons.coupons(matching: filter, limit: Self.maximumCoupons + 1, before: nil)
        return page.records.count > Self.maximumCoupons ? nil : page.records.map(\.outCouponID)
    }

    /// Sends each coupon's queue, `concurrency` coupons at a time.
    private static func send(_ ids: [String], with sync: CouponSync) async {
        await withTaskGroup(of: Void.self) { group in
            var next = ids.makeIterator()
            for _ in 0..<concurrency {
                guard let id = next.next() else { break }
                group.addTask { _ = try? await sync.sync(outCouponID: id) }
            }
            while await group.next() != nil {
                guard let id = next.next() else { continue }
                group.addTask { _ = try? await sync.sync(outCouponID: id) }
            }
        }
    }
}
