import FastCGI
import Storage
import StrictJSON
import Sync

/// `POST /api/v1/coupons/import` starts bringing in every coupon WeChat has, in the background, and
/// answers 202 with where to follow it: `GET /api/v1/imports/{id}`, updated after every page.
struct ImportAPI: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        router.group(services.apiKey(.editor)) { editors in
            editors.post("/api/v1/coupons/import") { context in
                let (run, started) = try self.startImport(by: context.actor)
                let location = HTTPHeaders([("Location", context.request.url(for: "/api/v1/imports/\(run.id)"))])
                guard started else {
                    throw HTTPError(status: 409, detail: "Import \(run.id), started by \(run.startedBy), is still running; follow it at its Location.", headers: location)
                }
                return .json(status: 202, ImportJSON.run(run), headers: location)
            }
        }
        router.group(services.apiKey(.viewer)) { viewers in
            viewers.get("/api/v1/imports/{id}") { context in
                guard let id = (context.parameters["id"]).flatMap({ Int64($0) }), let run = try database.imports.importRun(id: id) else {
                    throw HTTPError(status: 404, detail: "There is no import with this id.")
                }
                return .json(status: 200, ImportJSON.run(CouponImport.asOf(run, now: now())))
            }
        }
    }

    /// Starts an import in the background and answers its run, and true; or the one still running, and false.
    func startImport(by actor: String) throws -> (run: ImportRun, started: Bool) {
        let sync = try services.configuredSync()
        let (run, started) = try database.imports.startImportRun(by: actor, now: now(), staleAfter: CouponImport.staleAfter)
        if started {
            let importer = sync.importer(into: database, now: now)
            Task(executorPreference: globalConcurrentExecutor) { _ = await importer.runRecorded(run, by: actor) }
        }
        return (run, started)
    }
}

/// `{"id", "state", "started_by", "started_at", "finished_at", "total_num", "seen", "created", "updated", "differing", "unreadable", "error"}`
enum ImportJSON {
    static func run(_ run: ImportRun) -> [UInt8] {
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
