import StrictJSON
import Testing

@Suite struct JSONWriterTests {
    @Test func writesNestedValuesWithCommasInTheRightPlaces() throws {
        var writer = JSONWriter()
        writer.object {
            $0.member("a") { $0.integer(1) }
            $0.member("list") { list in
                list.array {
                    $0.string("x")
                    $0.null()
                    $0.object { _ in }
                }
            }
            $0.member("empty") { $0.array { _ in } }
        }
        let text = String(decoding: writer.bytes, as: UTF8.self)
        #expect(text == #"{"a":1,"list":["x",null,{}],"empty":[]}"#)
        #expect(try JSONParser.parse(writer.bytes) != .null)
    }

    @Test func escapesWhatJSONRequiresAndRoundTripsThroughTheParser() throws {
        let nasty = "quote\" back\\ line\n tab\t bell\u{7} del\u{7F} 优惠 😀"
        var writer = JSONWriter()
        writer.string(nasty)
        #expect(try JSONParser.parse(writer.bytes) == .string(nasty))
    }

    @Test func extendsAStoredObjectWithMoreMembers() throws {
        var writer = JSONWriter()
        writer.array {
            $0.object(extending: #"{"id":"c1"}"#) { $0.member("status") { $0.integer(2) } }
            $0.object(extending: "{}") { $0.member("status") { $0.integer(1) } }
            $0.object(extending: #"{"id":"c2","name":"优惠"}"#) { _ in }
        }
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"[{"id":"c1","status":2},{"status":1},{"id":"c2","name":"优惠"}]"#)
    }
}
