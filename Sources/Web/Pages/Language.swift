import Coupons
import FastCGI
import Foundation
import StrictJSON

/// The languages of the admin pages. A request's language is the one its `coupon_admin_lang` cookie
/// names (set by the language switch), else the best of its `Accept-Language`, else Chinese.
public enum Language: String, Sendable, CaseIterable {
    case chinese = "zh-CN"
    case english = "en"

    public static let cookieName = "coupon_admin_lang"

    public init(for request: Request) {
        if let chosen = Self.cookie(in: request) {
            self = chosen
        } else {
            self = Self.preferred(acceptLanguage: request.headers["accept-language"] ?? "") ?? .chinese
        }
    }

    /// The first language of ours in `Accept-Language` by quality (`en-GB;q=0.8, zh;q=0.9` -> Chinese).
    static func preferred(acceptLanguage header: String) -> Language? {
        var best: (Language, Double)?
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingSpaces }
            guard let range = parts.first?.lowercased(), !range.isEmpty else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            let language: Language? = range.hasPrefix("zh") ? .chinese : range.hasPrefix("en") ? .english : nil
            if let language, quality > 0, quality > (best?.1 ?? 0) { best = (language, quality) }
        }
        return best?.0
    }

    static func cookie(in request: Request) -> Language? {
        request.cookie(named: cookieName).flatMap { Language(rawValue: String($0)) }
    }

    /// Every text of the pages in this language, by key.
    var catalog: Catalog { self == .chinese ? Catalog.chinese : Catalog.english }

    /// The name of the language in itself, for the switch.
    var ownName: String { self == .chinese ? "中文" : "English" }
}

/// The texts of the pages in one language: `Resources/messages.<language>.json`, a flat object of
/// key -> text. `{0}`, `{1}`, ... in a text are filled in by `text(_:_:)`.
struct Catalog: Sendable {
    let texts: [String: String]
    /// The same texts for the templates, with `_` for `.` in the keys: Mustache reads `{{t.a.b}}` as
    /// member `b` of member `a`, so the templates say `{{t.a_b}}`.
    let templateTexts: [String: String]

    static let english = Catalog(json: PackageResources.messages_en_json)
    static let chinese = Catalog(json: PackageResources.messages_zh_CN_json)

    init(json: [UInt8]) {
        // The catalogs ship inside the binary and a test reads both, so a broken one cannot reach a user.
        guard case .object(let members)? = try? JSONParser.parse(json) else { preconditionFailure("a message catalog is not a JSON object") }
        var texts: [String: String] = [:]
        for member in members { if case .string(let text) = member.value { texts[member.name] = text } }
        self.texts = texts
        templateTexts = Dictionary(uniqueKeysWithValues: texts.map { ($0.key.replacingOccurrences(of: ".", with: "_"), $0.value) })
    }

    /// The text for `key` with `{0}`... replaced by `arguments`; the key itself when the catalog lacks it.
    func text(_ key: String, _ arguments: String...) -> String { text(key, arguments: arguments) }

    func text(_ key: String, arguments: [String]) -> String {
        var text = texts[key] ?? key
        for (index, argument) in arguments.enumerated() {
            text = text.replacingOccurrences(of: "{\(index)}", with: argument)
        }
        return text
    }

    subscript(key: String) -> String { texts[key] ?? key }
}
