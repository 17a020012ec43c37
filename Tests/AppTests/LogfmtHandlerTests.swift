import Foundation
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

@Suite struct LogTimestampTests {
    func text(_ seconds: Int, _ milliseconds: Int = 0) -> String {
        var line: [UInt8] = []
        LogfmtHandler.appendTimestamp(seconds: seconds, milliseconds: milliseconds, to: &line)
        return String(decoding: line, as: UTF8.self)
    }

    @Test func theDateIsComputedAsGmtimeWouldGiveIt() {
        #expect(text(0) == "1970-01-01T00:00:00.000Z")
        #expect(text(951_782_400, 7) == "2000-02-29T00:00:00.007Z")  // a leap day in a leap century
        #expect(text(1_795_305_600 + 3_599, 999) == "2026-11-22T00:59:59.999Z")
        #expect(text(4_102_444_799) == "2099-12-31T23:59:59.000Z")
        // Against the C library, a day and a bit apart across several centuries.
        for seconds in stride(from: -2_208_988_800, to: 7_258_118_400, by: 90_061 * 37) {
            var time = seconds
            var parts = tm()
            gmtime_r(&time, &parts)
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.000Z", Int(parts.tm_year) + 1900, parts.tm_mon + 1, parts.tm_mday,
                                  parts.tm_hour, parts.tm_min, parts.tm_sec)
            #expect(text(seconds) == expected)
        }
    }
}

@Suite struct LogfmtHandlerMetadataTests {
    @Test func loggerMetadataIsKeptSortedAndCanBeChangedOrRemoved() {
        var handler = LogfmtHandler(label: "test", level: .trace)
        handler[metadataKey: "request_id"] = "r1"
        handler[metadataKey: "b"] = "2"
        handler[metadataKey: "a"] = "1"
        handler[metadataKey: "b"] = "3"
        handler[metadataKey: "zz"] = "x"
        handler[metadataKey: "zz"] = nil
        #expect(handler[metadataKey: "b"] == "3")
        #expect(handler[metadataKey: "zz"] == nil)
        #expect(handler.metadata == ["a": "1", "b": "3", "request_id": "r1"])
        let event = LogEvent(level: .info, message: "m", metadata: nil, source: "t", file: #fileID, function: #function, line: #line)
        #expect(String(decoding: handler.format(event), as: UTF8.self).hasSuffix(" m a=1 b=3 request_id=r1\n"))
        handler.metadata = ["y": "2", "x": "1"]
        #expect(String(decoding: handler.format(event), as: UTF8.self).hasSuffix(" m x=1 y=2\n"))
    }

    @Test func forTheJournalEachLineStartsWithItsSyslogPriority() {
        let handler = LogfmtHandler(label: "test", level: .trace, syslogPriorities: true)
        let priorities = [(Logger.Level.debug, "<7>"), (.info, "<6>"), (.notice, "<5>"), (.warning, "<4>"), (.error, "<3>"), (.critical, "<2>")]
        for (level, priority) in priorities {
            let event = LogEvent(level: level, message: "m", metadata: nil, source: "test", file: #fileID, function: #function, line: #line)
            #expect(String(decoding: handler.format(event), as: UTF8.self).hasPrefix(priority + "20"))
        }
        let plain = LogfmtHandler(label: "test", level: .trace)
        let event = LogEvent(level: .warning, message: "m", metadata: nil, source: "test", file: #fileID, function: #function, line: #line)
        #expect(!String(decoding: plain.format(event), as: UTF8.self).hasPrefix("<"), "not without the journal")
    }

    @Test func theJournalIsKnownByTheDeviceAndInodeOfStandardError() {
        var status = stat()
        #expect(fstat(STDERR_FILENO, &status) == 0)
        #expect(LogfmtHandler.standardErrorIsTheJournal(["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino)"]))
        #expect(!LogfmtHandler.standardErrorIsTheJournal(["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino + 1)"]), "a stream handed down, not ours")
        #expect(!LogfmtHandler.standardErrorIsTheJournal([:]))
    }
}
