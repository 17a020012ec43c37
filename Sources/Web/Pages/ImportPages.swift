import Coupons
import FastCGI
import Storage
import Sync

/// The admin pages' import from WeChat: `POST /admin/imports` starts one in the background (or finds the
/// one running) and `GET /admin/imports/{id}` follows it, reloading itself until it ends.
struct ImportPages: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        router.group(services.staff(.editor)) { editors in
            editors.post("/admin/imports") { context in
                _ = try CouponPages.formBody(context.request)
                let (run, started) = try ImportAPI(services: services).startImport(by: context.actor)
                let location = context.request.url(for: "/admin/imports/\(run.id)") + (started ? "" : "?done=already_running")
                return Response(status: 303, headers: HTTPHeaders([("Location", location)]))
            }
        }
        router.group(services.staff(.viewer)) { viewers in
            viewers.get("/admin/imports/{id}") { context in
                let done = try QueryParameters(context.request.query, allowed: ["done"])["done"]
                guard let id = (context.parameters["id"]).flatMap({ Int64($0) }), let run = try database.imports.importRun(id: id) else {
                    throw HTTPError(status: 404, detail: "There is no import with this id.")
                }
                let language = Language(for: context.request)
                let page = ImportPage(run: CouponImport.asOf(run, now: now()), words: CouponWords(language: language, clock: clock), listHref: context.request.url(for: "/admin/coupons"))
                let notice = done == "already_running" ? language.catalog["import.already_running"] : nil
                return Pages.render("import", page.values, for: context.request, language: language, session: context.session, notice: notice)
            }
        }
    }
}

/// The values of an import's page: where it stands, what it found, and while it runs, a reload.
struct ImportPage {
    let run: ImportRun
    let words: CouponWords
    let listHref: String

    var values: [String: Any] {
        let catalog = words.language.catalog
        let running = run.state == .running
        var values: [String: Any] = [
            "running": running,
            "started": catalog.text("import.started", words.time(run.startedAt), run.startedBy),
            "state": catalog["import.state.\(run.state.rawValue)"], "stateClass": running ? "pending" : run.state == .done ? "synced" : "rejected",
            "seen": run.seen,
            "progress": run.totalNum.map { catalog.text("import.progress", String(run.seen), String($0)) } ?? catalog.text("import.progress_unknown", String(run.seen)),
            "counts": [("created", run.created), ("updated", run.updated), ("differing", run.differing), ("unreadable", run.unreadable)].map { name, count in
                ["name": name, "label": catalog["import.\(name)"], "value": count] as [String: Any]
            },
            "differingHref": listHref + "?wechat_differs=true", "hasDiffering": run.differing > 0,
        ]
        if let total = run.totalNum { values["total"] = max(total, 1) }
        if let finished = run.finishedAt { values["finished"] = catalog.text("import.finished", words.time(finished)) }
        if let error = run.error { values["error"] = error == AppDatabase.stoppedImportError ? catalog["import.stopped"] : error }
        return values
    }
}
