import Foundation
import Testing

/// The API document's list of audit actions and targets against what the code writes: an action
/// added in code and not in the document makes `GET /api/v1/audit` answer outside its own schema.
@Suite struct AuditDocumentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every `name: "value"` the sources under `Sources/` write.
    static func written(_ name: String) throws -> Set<String> {
        var found: Set<String> = []
        let sources = root.appendingPathComponent("Sources")
        for case let file as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)! where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: try Regex("\(name): \"([a-z_.]+)\"")) {
                if let value = match.output[1].substring { found.insert(String(value)) }
            }
        }
        return found
    }

    static func documented(_ property: String) throws -> Set<String> {
        let data = try Data(contentsOf: root.appendingPathComponent("Sources/Web/Resources/openapi.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let entry = try #require(schemas?["AuditEntry"] as? [String: Any])
        let schema = (entry["properties"] as? [String: Any])?[property] as? [String: Any]
        return Set(try #require(schema?["enum"] as? [String]))
    }

    @Test func everyActionAndTargetWrittenIsDocumented() throws {
        let actions = try Self.written("action"), documentedActions = try Self.documented("action")
        #expect(actions.count > 20, "the sources were read: \(actions)")
        #expect(actions.subtracting(documentedActions).isEmpty, "not in openapi.json: \(actions.subtracting(documentedActions))")
        let targets = try Self.written("targetType"), documentedTargets = try Self.documented("target_type")
        #expect(targets.subtracting(documentedTargets).isEmpty, "not in openapi.json: \(targets.subtracting(documentedTargets))")
    }
}
