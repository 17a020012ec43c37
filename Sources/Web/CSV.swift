/// Comma-separated values as RFC 4180 has them, for spreadsheets: UTF-8 with a byte-order mark (so
/// that Excel, in Chinese or any other language, reads it as UTF-8), CRLF line ends, a field quoted
/// when it holds a comma, a quote or a line break.
///
/// A field that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return
/// first) is written with a `'` before it, which spreadsheets show as text; reading takes that `'` off
/// again, so what is exported reads back unchanged.
enum CSV {
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// One record, with its line end.
    static func line(_ fields: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            append(neutralised(field), to: &bytes)
        }
        bytes += [13, 10]
        return bytes
    }

    static func neutralised(_ field: String) -> String {
        guard let first = field.utf8.first, formulaStarts.contains(first) else { return field }
        return "'" + field
    }

    /// The records of a CSV file, each a list of fields: a byte-order mark is skipped, `"` quoting
    /// undone, line ends inside quotes kept, a neutralised field's `'` taken off, blank lines dropped.
    static func records(_ bytes: [UInt8]) throws(Problem) -> [[String]] {
        var input = bytes[...]
        if input.starts(with: byteOrderMark) { input = input.dropFirst(byteOrderMark.count) }
        var records: [[String]] = [], record: [String] = [], field: [UInt8] = []
        var quoted = false, wasQuoted = false, line = 1, quoteLine = 1
        func endField() {
            let text = String(decoding: field, as: UTF8.self)
            record.append(restored(text))
            field = []
            wasQuoted = false
        }
        func endRecord() {
            endField()
            if record != [""] { records.append(record) }
            record = []
        }
        var index = input.startIndex
        while index < input.endIndex {
            let byte = input[index]
            index += 1
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index < input.endIndex, input[index] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == 10 { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                guard field.isEmpty, !wasQuoted else { throw Problem.strayQuote(line: line) }
                quoted = true
                wasQuoted = true
                quoteLine = line
            case UInt8(ascii: ","):
                endField()
            case 13:
                if index < input.endIndex, input[index] == 10 { index += 1 }
                endRecord()
                line += 1
            case 10:
                endRecord()
                line += 1
            default:
                guard !wasQuoted else { throw Problem.stray(line: line) }
                field.append(byte)
            }
        }
        if quoted { throw Problem.unclosedQuote(line: quoteLine) }
        if !field.isEmpty || !record.isEmpty || wasQuoted { endRecord() }
        return records
    }

    enum Problem: Error, Equatable {
        /// A `"` inside a field that was not quoted from its start.
        case strayQuote(line: Int)
        /// Text after a quoted field's closing `"`.
        case stray(line: Int)
        /// A quoted field, begun on `line`, that never ends.
        case unclosedQuote(line: Int)
    }

    private static let formulaStarts: Set<UInt8> = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 9, 13]

    private static func restored(_ field: String) -> String {
        let bytes = Array(field.utf8)
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "'"), formulaStarts.contains(bytes[1]) else { return field }
        return String(field.dropFirst())
    }

    private static func append(_ field: String, to bytes: inout [UInt8]) {
        let needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard needsQuotes else {
            bytes += field.utf8
            return
        }
        bytes.append(UInt8(ascii: "\""))
        for byte in field.utf8 {
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
