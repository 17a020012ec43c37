import Logging
import Testing
@testable import App

@Suite struct LogfmtHandlerTests {
    func line(_ message: Logger.Message, level: Logger.Level = .info, handlerMetadata: Logger.Metadata = [:], metadata: Logger.Metadata? = nil) -> String {
        var handler = LogfmtHandler(label: "test", level: .trace)
        handler.metadata = handlerMetadata
        let event = LogEvent(level: level, message: message, metadata: metadata, source: "test", file: #fileID, function: #function, line: #line)
        return String(decoding: handler.format(event), as: UTF8.self)
    }

    @Test func oneLineWithTimestampLevelMessageAndSortedFields() throws {
        let text = line("request", handlerMetadata: ["request_id": "abc"], metadata: ["status": "200", "method": "GET"])
        let regex = try Regex(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info request request_id=abc method=GET status=200\n$"#)
        #expect(text.wholeMatch(of: regex) != nil, "\(text)")
    }

    @Test func valuesThatCouldForgeALineOrAFieldAreQuoted() {
        let text = line("shutting down", metadata: ["path": "/a b\nfake=1", "q": "say \"hi\"", "empty": ""])
        #expect(text.hasSuffix(#" "shutting down" empty="" path="/a b\nfake=1" q="say \"hi\""\#n"#), "\(text)")
        #expect(text.filter { $0 == "\n" }.count == 1)
    }

    @Test func controlCharactersAreEscaped() {
        let text = line("x", metadata: ["v": "a\u{1B}[31mb\tc"])
        #expect(text.contains(#"v="a\u001b[31mb\u0009c""#), "\(text)")
    }
}
