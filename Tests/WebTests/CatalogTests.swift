import Foundation
import Testing
@testable import Web

/// The two languages say the same things: the same keys, the same `{n}` placeholders, and every text a
/// template asks for.
@Suite struct CatalogTests {
    static let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/Web/Templates")

    @Test func bothLanguagesHaveTheSameKeysAndPlaceholders() {
        let english = Catalog.english.texts, chinese = Catalog.chinese.texts
        #expect(english.count > 100)
        #expect(Set(english.keys).symmetricDifference(chinese.keys).isEmpty)
        for (key, text) in english {
            #expect(placeholders(text) == placeholders(chinese[key] ?? ""), "\(key)")
        }
    }

    @Test func everyTextATemplateAsksForIsInTheCatalog() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.templates.path).filter { $0.hasSuffix(".mustache") }
        #expect(files.count >= 7)
        for file in files {
            let text = try String(contentsOf: Self.templates.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: /\{\{[#^\/]?t\.([A-Za-z0-9_\-]+)\}\}/) {
                #expect(Catalog.english.templateTexts[String(match.1)] != nil, "\(file): t.\(match.1)")
            }
        }
    }

    @Test func everyEnumAndErrcodeTheWordsNameHasAText() {
        for key in ["type.1", "type.104", "type.hint.6", "status.4", "sync.rejected", "errcode.1090011", "errcode.other", "action.coupon.create"] {
            #expect(Catalog.chinese.texts[key] != nil && Catalog.english.texts[key] != nil, "\(key)")
        }
    }

    @Test func acceptLanguageQualitiesDecide() {
        #expect(Language.preferred(acceptLanguage: "en-US,en;q=0.9,zh-CN;q=0.8") == .english)
        #expect(Language.preferred(acceptLanguage: "en;q=0.5, zh-Hans;q=0.9") == .chinese)
        #expect(Language.preferred(acceptLanguage: "fr-FR, de") == nil)
        #expect(Language.preferred(acceptLanguage: "zh;q=0, en;q=0.1") == .english)
    }

    private func placeholders(_ text: String) -> Set<String> {
        Set(text.matches(of: /\{[0-9]\}/).map { String($0.0) })
    }
}
