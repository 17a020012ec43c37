import FastCGI
import Storage
import StrictJSON
import Sync

extension Router {
    /// `POST /api/v1/coupons/import` starts bringing in every coupon WeChat has, in the background, and
    /// answers 202 with where to follow it: `GET /api/v1/imports/{id}`, updated after every page.
    public mutating func addImportRoutes(database: AppDatabase, sync: CouponSync? = nil, now: @escaping @Sendable () -> Int) {
        post("/api/v1/coupons/import", access: .atLeast(.editor)) { context in
            let (run, started) = try Self.startImport(database: database, sync: sync, by: context.actor, now: now)
            let location = HTTPHeaders([("Location", context.request.url(for: "/api/v1/imports/\(run.id)"))])
            guard started else {
                throw HTTPError(status: 409, detail: "Import \(run.id), started by \(run.startedBy), is still running; follow it at its Location.", headers: location)
            }
            return .json(status: 202, ImportJSON.run(run), headers: location)
        }

        get("/api/v1/imports/{id}", access: .atLeast(.viewer)) { context in
            guard let id = (context.parameters["id"]).flatMap({ Int64($0) }), let run = try database.importRun(id: id) else {
                throw HTTPError(status: 404, detail: "There is no import with this id.")
            }
            return .json(status: 200, ImportJSON.run(CouponImport.asOf(run, now: now())))
        }
    }

    /// Starts an import in the background and answers its run, and true; or the one still running, and false.
    static func startImport(
        database: AppDatabase, sync: CouponSync?, by actor: String, now: @escaping @Sendable () -> Int
    ) throws -> (run: AppDatabase.ImportRun, started: Bool) {
        let sync = try syncConfigured(sync)
        let (run, started) = try database.startImportRun(by: actor, now: now(), staleAfter: CouponImport.staleAfter)
        if started {
            let importer = sync.importer(into: database, now: now)
            Task(executorPreference: globalConcurrentExecutor) { _ = await importer.runRecorded(run, by: actor) }
        }
        return (run, started)
    }
}

/// `{"id", "state", "started_by", "started_at", "finished_at", "total_num", "seen", "created", "updated", "differing", "unreadable", "error"}`
enum ImportJSON {
    static func run(_ run: AppDatabase.ImportRun) -> [UInt8] {
        var writer = JSONWriter()
        writer.object {
            $0.member("id") { $0.integer(Int(run.id)) }
            $0.member("state") { $0.string(run.state.rawValue) }
            $0.member("started_by") { $0.string(run.startedBy) }
            $0.member("started_at") { $0.integer(run.startedAt) }
            if let finished = run.finishedAt { $0.member("finished_at") { $0.integer(finished) } }
            if let total = run.totalNum { $0.member("total_num") { $0.integer(total) } }
            for (name, count) in [("seen", run.seen), ("created", run.created), ("updated", run.updated), ("differing", run.differing), ("unreadable", run.unreadable)] {
                $0.member(name) { $0.integer(count) }
            }
            if let error = run.error { $0.member("error") { $0.string(error) } }
        }
        return writer.bytes
    }
}
