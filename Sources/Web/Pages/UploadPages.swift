import Coupons
import FastCGI
import Storage

/// New coupons from a spreadsheet, for editors: `GET /admin/uploads` has the form and the template
/// (`/admin/uploads/template`, the export's header row); `POST /admin/uploads` reads the file by the
/// new-coupon form's rules and shows every problem by row and column with nothing stored, or stores
/// all its coupons as one batch and goes to `GET /admin/uploads/{id}`, which follows them to WeChat.
struct UploadPages: Controller, Sendable {
    let services: WebServices

    func addRoutes(to router: inout Router) {
        router.group(services.staff(.editor)) { editors in
            editors.get("/admin/uploads") { context in
                formPage(context)
            }

            editors.get("/admin/uploads/template") { _ in
                CouponCSV.download(named: "coupons-template.csv")
            }

            editors.post("/admin/uploads") { context in
                try upload(context)
            }
        }
        router.group(services.staff(.viewer)) { viewers in
            viewers.get("/admin/uploads/{id}") { context in
                guard let id = context.parameters["id"].flatMap({ Int64($0) }), let upload = try database.coupons.upload(id: id) else {
                    throw HTTPError(status: 404, detail: "There is no upload with this id.")
                }
                return progressPage(upload, context)
            }
        }
    }

    private func upload(_ context: RequestContext) throws -> Response {
        let request = context.request
        guard let form = MultipartForm(contentType: request.headers["content-type"], body: request.body) else {
            throw HTTPError(status: 415, detail: "Send the file as the form does: multipart/form-data with a part named file.")
        }
        guard let file = form["file"], !file.content.isEmpty else {
            return formPage(context, problems: [.init(row: 0, problem: .init(key: "upload.no_file"))], status: 422)
        }
        let fileName = String((file.fileName ?? "").suffix(200))
        let coupons: [(row: Int, coupon: Coupon)]
        do {
            coupons = try CouponCSV.coupons(in: file.content, clock: clock)
        } catch {
            return formPage(context, fileName: fileName, problems: error.problems, status: 422)
        }
        switch try database.coupons.storeUpload(fileName: fileName, coupons: coupons, by: context.actor, now: now()) {
        case .conflicts(let rows):
            let problems = rows.map { CouponCSV.CellProblem(row: $0, column: "out_coupon_id", problem: .init(key: "upload.id_taken")) }
            return formPage(context, fileName: fileName, problems: problems, status: 409)
        case .stored(let id):
            return Response(status: 303, headers: HTTPHeaders([("Location", request.url(for: "/admin/uploads/\(id)"))]))
        }
    }

    private func formPage(_ context: RequestContext, fileName: String = "", problems: [CouponCSV.CellProblem] = [], status: Int = 200) -> Response {
        let language = Language(for: context.request)
        let catalog = language.catalog
        var values: [String: Any] = [
            "columns": CouponCSV.columns.joined(separator: ", "),
            "timeZone": catalog.text("upload.formats", clock.timeZone.identifier),
        ]
        if !problems.isEmpty {
            values["failed"] = catalog.text("upload.failed", fileName, String(problems.count))
            values["problems"] = problems.map { problem -> [String: String] in
                [
                    "row": problem.row == 0 ? "" : String(problem.row),
                    "column": problem.column.map { column in
                        CouponCSV.columns.contains(column) ? column : catalog.text("upload.column_named", column)
                    } ?? "",
                    "message": catalog.text(problem.problem),
                ]
            }
        }
        return Pages.render("upload", values, status: status, for: context.request, language: language, session: context.session)
    }

    private func progressPage(_ upload: CouponUpload, _ context: RequestContext) -> Response {
        let request = context.request
        let language = Language(for: request)
        let catalog = language.catalog
        let words = CouponWords(language: language, clock: clock)
        let states = upload.rows.map(\.coupon.syncState)
        let waiting = states.filter { $0 == .pending }.count
        let values: [String: Any] = [
            "heading": catalog.text("upload.title_of", upload.fileName.isEmpty ? "#\(upload.id)" : upload.fileName),
            "byWhom": catalog.text("upload.by", upload.createdBy, words.time(upload.createdAt)),
            "counts": [
                ("rows", upload.rows.count), ("created", upload.rows.filter(\.created).count), ("unchanged", upload.rows.filter { !$0.created }.count),
                ("synced", states.filter { $0 == .synced }.count), ("pending", waiting), ("rejected", states.filter { $0 == .rejected }.count),
            ].map { name, count in ["name": name, "label": catalog["upload.count.\(name)"], "value": count] as [String: Any] },
            "total": max(upload.rows.count, 1), "settled": upload.rows.count - waiting,
            "reloads": waiting > 0 && sync != nil, "noWeChat": sync == nil,
            "rows": upload.rows.map { row -> [String: Any] in
                var values: [String: Any] = [
                    "row": row.row, "id": row.coupon.outCouponID, "name": row.coupon.name,
                    "href": request.url(for: "/admin/coupons/\(Pages.encodedQueryValue(row.coupon.outCouponID))"),
                    "stored": catalog[row.created ? "upload.new" : "upload.was_stored"],
                    "syncState": row.coupon.syncState.rawValue, "sync": words.sync(row.coupon.syncState),
                ]
                if let error = row.coupon.syncError { values["error"] = error }
                return values
            },
        ]
        return Pages.render("upload-progress", values, for: request, language: language, session: context.session)
    }
}
