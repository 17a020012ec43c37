/// Why a body is not JSON, and where.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Offset of the offending byte from the start of the document.
    public var offset: Int
    public var reason: String

    public var description: String { "\(reason) at byte \(offset)" }
}

/// A strict RFC 8259 parser: one value, nothing after it but whitespace, no comments, no trailing
/// commas, no bare control characters in strings, and a bound on nesting so that a body of ten
/// thousand `[` is refused without deep recursion.
///
/// A string that is not valid UTF-8 parses as `.invalidString` rather than failing the whole
/// document, so the decoder can name the field it is in. Object member names must be valid.
public struct JSONParser {
    public static let defaultMaxDepth = 64

    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
            var parser = Cursor(bytes: buffer, maxDepth: maxDepth)
            parser.skipWhitespace()
            let value = try parser.value(depth: 1)
            parser.skipWhitespace()
            guard parser.position == buffer.count else { throw parser.error("unexpected data after the JSON value") }
            return value
        }
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        let maxDepth: Int
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        func error(_ reason: String, at offset: Int? = nil) -> JSONSyntaxError {
            JSONSyntaxError(offset: offset ?? position, reason: reason)
        }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
        }

        mutating func expect(_ literal: StaticString, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
            let start = position
            for expected in UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount) {
                guard current == expected else { throw error("invalid literal", at: start) }
                position += 1
            }
            return value
        }

        mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            guard let byte = current else { throw error("unexpected end of the document") }
            switch byte {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return try string().map(JSONValue.string) ?? .invalidString
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw error(byte < 0x80 ? "unexpected character '\(Character(Unicode.Scalar(byte)))'" : "unexpected byte 0x\(String(byte, radix: 16))")
            }
        }

        mutating func enter(_ depth: Int) throws(JSONSyntaxError) {
            guard depth <= maxDepth else { throw error("nested deeper than \(maxDepth) levels") }
            position += 1
            skipWhitespace()
        }

        mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            try enter(depth)
            var members: [JSONValue.Member] = []
            if current == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                guard current == UInt8(ascii: "\"") else { throw error("expected a member name in double quotes") }
                let nameStart = position
                guard let name = try string() else { throw error("a member name is not valid UTF-8", at: nameStart) }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
                position += 1
                skipWhitespace()
                members.append(JSONValue.Member(name, try value(depth: depth + 1)))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","):
                    position += 1
                    skipWhitespace()
                case UInt8(ascii: "}"):
                    position += 1
                    return .object(members)
                default:
                    throw error("expected ',' or '}' in an object")
                }
            }
        }

        mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            try enter(depth)
            var elements: [JSONValue] = []
            if current == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                elements.append(try value(depth: depth + 1))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","):
                    position += 1
                    skipWhitespace()
                case UInt8(ascii: "]"):
                    position += 1
                    return .array(elements)
                default:
                    throw error("expected ',' or ']' in an array")
                }
            }
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as text.
        mutating func number() throws(JSONSyntaxError) -> JSONValue {
            let start = position
            func digits(_ cursor: inout Cursor) -> Int {
                let first = cursor.position
                while let byte = cursor.current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { cursor.position += 1 }
                return cursor.position - first
            }
            if current == UInt8(ascii: "-") { position += 1 }
            if current == UInt8(ascii: "0") {
                position += 1
            } else if digits(&self) == 0 {
                throw error("a number needs digits", at: start)
            }
            if current == UInt8(ascii: ".") {
                position += 1
                guard digits(&self) > 0 else { throw error("a number needs digits after '.'", at: start) }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard digits(&self) > 0 else { throw error("a number needs digits in its exponent", at: start) }
            }
            return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
        }

        /// The string at the cursor, or nil when its bytes or escapes are not valid Unicode.
        mutating func string() throws(JSONSyntaxError) -> String? {
            position += 1
            let start = position
            // The common case: no escapes, so the bytes are the string.
            while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 { position += 1 }
            if current == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<position])
                position += 1
                return String(validating: raw, as: UTF8.self)
            }
            var decoded = Array(bytes[start..<position])
            var valid = true
            while true {
                guard let byte = current else { throw error("a string is not closed", at: start - 1) }
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return valid ? String(validating: decoded, as: UTF8.self) : nil
                case UInt8(ascii: "\\"):
                    position += 1
                    guard let escape = current else { throw error("a string is not closed", at: start - 1) }
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
                    case UInt8(ascii: "b"): decoded.append(0x08)
                    case UInt8(ascii: "f"): decoded.append(0x0C)
                    case UInt8(ascii: "n"): decoded.append(0x0A)
                    case UInt8(ascii: "r"): decoded.append(0x0D)
                    case UInt8(ascii: "t"): decoded.append(0x09)
                    case UInt8(ascii: "u"):
                        if let scalar = try unicodeEscape() {
                            decoded.append(contentsOf: String(Character(scalar)).utf8)
                        } else {
                            valid = false
                        }
                    default: throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))'", at: position - 2)
                    }
                case 0..<0x20:
                    throw error("a control character must be escaped inside a string")
                default:
                    decoded.append(byte)
                    position += 1
                }
            }
        }

        /// After `\u`: one scalar, joining a surrogate pair; nil for a lone surrogate.
        mutating func unicodeEscape() throws(JSONSyntaxError) -> Unicode.Scalar? {
            let high = try hex4()
            guard (0xD800...0xDBFF).contains(high) else {
                return (0xDC00...0xDFFF).contains(high) ? nil : Unicode.Scalar(high)
            }
            guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else { return nil }
            position += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }

        mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = current, let digit = Self.hexValue(byte) else { throw error("\\u needs four hex digits") }
                value = value << 4 | digit
                position += 1
            }
            return value
        }

        static func hexValue(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
            default: nil
            }
        }
    }
}
