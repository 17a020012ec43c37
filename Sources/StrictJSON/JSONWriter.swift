/// Writes a JSON document straight into bytes, so stored JSON can be copied in as it is instead of
/// being parsed and encoded again.
///
///     var writer = JSONWriter()
///     writer.object { $0.member("id") { $0.string("c1") } }
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    public mutating func object(_ members: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        members(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func array(_ elements: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        elements(&self)
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// `"name":` followed by what `value` writes.
    public mutating func member(_ name: String, _ value: (inout JSONWriter) -> Void) {
        separate()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
        value(&self)
        needsComma = true
    }

    public mutating func string(_ text: String) {
        separate()
        appendString(text)
    }

    public mutating func integer(_ number: Int) {
        separate()
        bytes += String(number).utf8
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes += (value ? "true" : "false").utf8
    }

    public mutating func null() {
        separate()
        bytes += "null".utf8
    }

    /// `value`, its objects' members in the order of their names (by their UTF-8 bytes) when `sortingKeys`.
    public mutating func value(_ value: JSONValue, sortingKeys: Bool = false) {
        switch value {
        case .null, .invalidString: null()
        case .bool(let bool): self.bool(bool)
        case .number(let text):
            separate()
            bytes += text.utf8
        case .string(let text): string(text)
        case .array(let elements):
            array { writer in for element in elements { writer.value(element, sortingKeys: sortingKeys) } }
        case .object(let members):
            let ordered = sortingKeys ? members.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) } : members
            object { writer in for member in ordered { writer.member(member.name) { $0.value(member.value, sortingKeys: sortingKeys) } } }
        }
    }

    /// A JSON object written elsewhere, with more members added at its end.
    /// `json` must be one compact JSON object, as `Coupon.canonicalJSON` is.
    public mutating func object(extending json: String, _ members: (inout JSONWriter) -> Void) {
        separate()
        var json = json
        json.withUTF8 { bytes in
            precondition(bytes.first == UInt8(ascii: "{") && bytes.last == UInt8(ascii: "}"), "not a JSON object")
            self.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes.dropLast()))
            needsComma = bytes.count > 2
        }
        members(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    private mutating func appendString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20, 0x7F:
                let digits = Array("0123456789abcdef".utf8)
                bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
