import StrictJSON
import Testing

@Suite struct ObjectReaderTests {
    func read(_ text: String, _ body: (inout ObjectReader) -> Void) throws -> [String] {
        let collector = FieldErrorCollector()
        if var reader = ObjectReader(try JSONParser.parse(Array(text.utf8)), at: FieldPath("root"), collector: collector) {
            body(&reader)
            reader.rejectUnknownMembers()
        }
        return collector.errors.map(\.description)
    }

    @Test func namesUnknownRepeatedMissingAndWrongKindMembers() throws {
        let errors = try read(#"{"a": 1, "a": 2, "extra": true, "s": null, "o": [], "l": {}}"#) { reader in
            _ = reader.integer("a", required: true)
            _ = reader.string("s", required: false)
            _ = reader.object("o", required: false)
            _ = reader.array("l", required: false)
            _ = reader.integer("missing", required: true, because: "type 3")
            _ = reader.string("optional", required: false)
        }
        #expect(errors == [
            "root.a: appears more than once",
            "root.s: must be a string, not null",
            "root.o: must be an object, not an array",
            "root.l: must be an array, not an object",
            "root.missing: is required for type 3",
            "root.extra: is not a field of this object",
        ])
    }

    @Test(arguments: [
        ("0", nil), ("2147483647", nil),
        ("2147483648", "must be at most 2147483647"), ("99999999999999999999", "must be at most 2147483647"),
        ("-1", "must not be negative"), ("-0", "must not be negative"),
        ("1.0", "must be a whole number, written without a fraction or exponent"),
        ("1e2", "must be a whole number, written without a fraction or exponent"),
        (#""1""#, "must be a number, not a string"), ("true", "must be a number, not a boolean"),
    ] as [(String, String?)])
    func integersAreWholeNonNegativeAnd32Bit(text: String, message: String?) throws {
        var number: Int?
        let errors = try read(#"{"n": \#(text)}"#) { number = $0.integer("n", required: true) }
        #expect(errors == (message.map { ["root.n: \($0)"] } ?? []))
        #expect((number == nil) == (message != nil))
    }

    @Test func anInvalidStringIsNamedByItsPath() throws {
        let collector = FieldErrorCollector()
        var reader = try #require(ObjectReader(.object([.init("name", .invalidString)]), at: FieldPath("coupon"), collector: collector))
        #expect(reader.string("name", required: true) == nil)
        #expect(collector.errors == [FieldError(field: "coupon.name", message: "is not valid UTF-8 text")])
    }

    @Test func arrayElementsCarryTheirIndex() throws {
        var paths: [String] = []
        _ = try read(#"{"ids": ["a", "b"]}"#) { paths = $0.array("ids", required: true)?.map(\.1.description) ?? [] }
        #expect(paths == ["root.ids[0]", "root.ids[1]"])
    }
}
