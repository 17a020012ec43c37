import Coupons
import Metrics
import Storage
import WeChat

/// Pages through WeChat's coupons (`get_list`, 200 a page) and brings each into the database
/// (`AppDatabase.importCoupon`): new ones stored, known ones updated, never duplicated, those whose
/// fields differ from WeChat's flagged. Progress is reported after every page.
public struct CouponImport: Sendable {
    public static let pageSize = 200

    let database: AppDatabase
    let wechat: any WeChatCouponCalls
    let now: @Sendable () -> Int

    public init(database: AppDatabase, wechat: any WeChatCouponCalls, now: @escaping @Sendable () -> Int) {
        self.database = database
        self.wechat = wechat
        self.now = now
    }

    /// A coupon WeChat lists that this server's rules refuse: left out, with the reason.
    public struct Unreadable: Sendable, Equatable {
        public var outCouponID: String
        public var reason: String
    }

    /// Runs the import into `run` (which carries the counts) and reports it after every page; answers
    /// the coupons left out. Throws when WeChat cannot be asked: the pages before are kept.
    public func run(
        _ run: inout ImportRun, by actor: String, progress: (ImportRun) throws -> Void
    ) async throws -> [Unreadable] {
        var unreadable: [Unreadable] = []
        var offset = 0
        while true {
            let page = try await wechat.couponList(pageSize: Self.pageSize, offset: offset)
            run.totalNum = page.totalNum
            for entry in page.entries {
                guard let coupon = entry.state.coupon else {
                    unreadable.append(Unreadable(outCouponID: entry.outCouponID, reason: Self.reason(entry.state)))
                    run.unreadable += 1
                    continue
                }
                let wechat = WeChatCoupon(
                    coupon: coupon, status: CouponStatus(rawValue: entry.state.status) ?? .notActive, createTime: entry.state.createTime,
                    updateTime: entry.state.updateTime, issuedNum: entry.issuedNum, receiveNum: entry.receiveNum
                )
                switch try database.coupons.importCoupon(wechat, by: actor, now: now()) {
                case .created: run.created += 1
                case .updated: run.updated += 1
                case .differs: run.differing += 1
                }
            }
            run.seen += page.entries.count
            offset += page.entries.count
            try progress(run)
            if page.entries.isEmpty || offset >= page.totalNum { return unreadable }
        }
    }

    private static func reason(_ state: WeChatClient.CouponState) -> String {
        guard let copy = state.wechatCopy else { return "no coupon object" }
        do {
            _ = try Coupon.decode(wechatCopy: copy)
            return "unreadable"
        } catch {
            return error.errors.map(\.description).joined(separator: "; ")
        }
    }
}

extension CouponImport {
    /// Runs the import into the started `run`, recording its progress after every page and how it
    /// ended (`done`, or `failed` with the reason), and passing each step to `report`.
    public func runRecorded(
        _ started: ImportRun, by actor: String, report: (ImportRun) -> Void = { _ in }
    ) async -> (run: ImportRun, unreadable: [Unreadable]) {
        var run = started
        var unreadable: [Unreadable] = []
        do {
            unreadable = try await self.run(&run, by: actor) { progress in
                try database.imports.recordImportProgress(progress, now: now())
                report(progress)
            }
            run.state = .done
        } catch {
            run.state = .failed
            run.error = (error as? WeChatCallError)?.description ?? String(describing: error)
        }
        try? database.imports.recordImportProgress(run, now: now())
        Counter(label: Self.runsLabel, dimensions: [("outcome", run.state.rawValue)]).increment()
        report(run)
        return (run, unreadable)
    }

    /// Import runs that ended, by outcome (`done` or `failed`), for `/metrics`.
    public static let runsLabel = "coupon_admin_import_runs_total"

    /// Seconds without progress after which a running import is taken to have died.
    public static let staleAfter = 120

    /// The run as it stands at `now`: one still marked running that has made no progress for `staleAfter`
    /// seconds died with its process, and is shown failed (the next import records it so).
    public static func asOf(_ run: ImportRun, now: Int) -> ImportRun {
        guard run.state == .running, run.heartbeatAt <= now - staleAfter else { return run }
        var stopped = run
        stopped.state = .failed
        stopped.error = AppDatabase.stoppedImportError
        return stopped
    }
}
