@testable import StrictJSON
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test func keepsNumbersAsWrittenAndMembersInOrderWithRepeats() throws {
        let value = try parse(#" {"b": [1, -0.5, 1e3, true, false, null], "a": "x", "b": {}} "#)
        #expect(value == .object([
            .init("b", .array([.number("1"), .number("-0.5"), .number("1e3"), .bool(true), .bool(false), .null])),
            .init("a", .string("x")),
            .init("b", .object([])),
        ]))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try parse(#""a\"\\\/\b\f\n\r\t\u00e9\u4f18\ud83d\ude00""#) == .string("a\"\\/\u{8}\u{c}\n\r\té优😀"))
        #expect(try parse("\"示例优惠券😀\"") == .string("示例优惠券😀"))
    }

    @Test func invalidTextInAValueIsKeptForTheDecoderToName() throws {
        #expect(try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) == .invalidString)
        #expect(try JSONParser.parse([0x22, 0x5C, 0x6E, 0xFF, 0x22]) == .invalidString)
        #expect(try parse(#""\ud800""#) == .invalidString)
        #expect(try parse(#""\udc00x""#) == .invalidString)
        #expect(try parse(#""\ud800\u0041""#) == .invalidString)
    }

    @Test(arguments: [
        ("", "unexpected end of the document at byte 0"),
        ("{", "expected a member name in double quotes at byte 1"),
        ("[1,]", "unexpected character ']' at byte 3"),
        (#"{"a":1,}"#, "expected a member name in double quotes at byte 7"),
        ("{'a':1}", "expected a member name in double quotes at byte 1"),
        ("[1] x", "unexpected data after the JSON value at byte 4"),
        ("01", "unexpected data after the JSON value at byte 1"),
        ("1.", "a number needs digits after '.' at byte 0"),
        ("-", "a number needs digits at byte 0"),
        ("1e", "a number needs digits in its exponent at byte 0"),
        ("tru", "invalid literal at byte 0"),
        ("\"a\nb\"", "a control character must be escaped inside a string at byte 2"),
        (#""\x""#, #"invalid escape '\x' at byte 1"#),
        (#""\u12""#, #"\u needs four hex digits at byte 5"#),
        ("\"abc", "a string is not closed at byte 0"),
        ("/* no */ 1", "unexpected character '/' at byte 0"),
        ("NaN", "unexpected character 'N' at byte 0"),
    ] as [(String, String)])
    func refusesWhatIsNotJSON(text: String, message: String) {
        let error = #expect(throws: JSONSyntaxError.self) { try parse(text) }
        #expect(error?.description == message)
    }

    @Test func aMemberNameMustBeValidUTF8() {
        #expect(throws: JSONSyntaxError(offset: 1, reason: "a member name is not valid UTF-8")) {
            try JSONParser.parse([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])
        }
    }

    @Test func bytesOutsideStringsMustBeASCII() {
        #expect(throws: JSONSyntaxError(offset: 0, reason: "unexpected byte 0xef")) {
            try JSONParser.parse([0xEF, 0xBB, 0xBF, 0x31])
        }
    }

    @Test func tenThousandOpeningBracketsAreRefusedWithoutRecursingThatDeep() {
        let deep = String(repeating: "[", count: 10_000)
        #expect(throws: JSONSyntaxError(offset: 64, reason: "nested deeper than 64 levels")) { try parse(deep) }
        let allowed = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try parse(allowed) }
        let objects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(throws: JSONSyntaxError.self) { try parse(objects) }
    }

    @Test func aMegabyteStringParses() throws {
        let big = String(repeating: "优", count: 350_000)
        #expect(try parse("\"\(big)\"") == .string(big))
    }
}
