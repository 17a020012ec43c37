import FastCGI
import Foundation
import Mustache

/// Renders the admin pages: the templates in `Templates/` (Mustache, HTML-escaped by default) around
/// the layout, with the texts of the request's language.
enum Pages {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        let templates: [(String, [UInt8])] = [
            ("layout", PackageResources.layout_mustache), ("field", PackageResources.field_mustache),
            ("login", PackageResources.login_mustache), ("coupons", PackageResources.coupons_mustache),
            ("new-coupon", PackageResources.new_coupon_mustache), ("coupon", PackageResources.coupon_mustache),
            ("error", PackageResources.error_mustache), ("import", PackageResources.import_mustache),
            ("user-coupons", PackageResources.user_coupons_mustache), ("account", PackageResources.account_mustache),
            ("keys", PackageResources.keys_mustache), ("audit", PackageResources.audit_mustache),
            ("people", PackageResources.people_mustache), ("upload", PackageResources.upload_mustache),
            ("upload-progress", PackageResources.upload_progress_mustache), ("bulk", PackageResources.bulk_mustache),
            ("failures", PackageResources.failures_mustache),
        ]
        for (name, bytes) in templates {
            // The templates ship inside the binary and every page is rendered by the tests.
            do { try library.register(String(decoding: bytes, as: UTF8.self), named: name) } catch {
                preconditionFailure("template \(name) does not parse: \(error)")
            }
        }
        return library
    }()

    /// An HTML response of `template` filled with `values` and the layout's own: the language and its
    /// texts (`t`), the mount path (`root`), the static files' versioned folder (`static`), the signed-in
    /// user with the CSRF token, the language switch.
    static func render(
        _ template: String, _ values: [String: Any], status: Int = 200, for request: Request, language: Language,
        session: StaffSessions.Current?, notice: String? = nil, headers: [(String, String)] = []
    ) -> Response {
        var context = values
        context["lang"] = language.rawValue
        context["t"] = language.catalog.templateTexts
        context["root"] = request.mountPath
        context["static"] = request.mountPath + "/static/v" + Version.current
        if let notice { context["notice"] = notice }
        if let session {
            let role = language.catalog["role.\(session.principal.role.rawValue)"]
            context["user"] = true
            context["signedInAs"] = language.catalog.text("nav.user", session.principal.name, role)
            context["csrf"] = session.csrfToken
            context["canEdit"] = session.principal.role.allows(.editor)
            context["isAdmin"] = session.principal.role.allows(.admin)
        }
        let back = encodedBackLink(request)
        context["languages"] = Language.allCases.map { other -> [String: Any] in
            ["code": other.rawValue, "name": other.ownName, "current": other == language,
             "href": request.url(for: "/admin/language/\(other.rawValue)") + "?next=" + back]
        }
        let html = library.render(context, withTemplate: template) ?? ""
        return Response(status: status, headers: HTTPHeaders([
            ("Content-Type", "text/html; charset=utf-8"), ("Content-Language", language.rawValue),
            ("Cache-Control", "no-store"), ("Vary", "Cookie, Accept-Language"),
        ] + headers), body: Array(html.utf8))
    }

    /// The error page for a failed page request: the status in the user's words, and the detail.
    static func error(_ error: HTTPError, for request: Request, session: StaffSessions.Current?) -> Response {
        let language = Language(for: request)
        let key = error.pageMessage ?? (["400", "403", "404", "409"].contains(String(error.status)) ? "error.\(error.status)" : "error.other")
        var values: [String: Any] = ["message": language.catalog[key]]
        if let detail = error.detail, error.pageMessage == nil { values["detail"] = detail }
        return render("error", values, status: error.status, for: request, language: language, session: session,
                      headers: error.headers.map { ($0.name, $0.value) })
    }

    /// The request's path and query, percent-encoded for a `next=` parameter.
    static func encodedBackLink(_ request: Request) -> String {
        var back = request.fullPath
        if !request.query.isEmpty { back += "?" + request.query }
        return encodedQueryValue(back)
    }

    /// `text` percent-encoded for a query value: all but the unreserved characters and `/`.
    static func encodedQueryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: pathInQuery) ?? ""
    }
}

/// What a path may keep unescaped inside a query value: the unreserved characters and `/`.
private let pathInQuery = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")
