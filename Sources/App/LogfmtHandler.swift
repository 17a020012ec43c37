#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Formats each entry as one logfmt line and hands it to a `LogWriter`:
/// `2026-11-22T20:30:01.123Z info request method=GET path=/healthz status=200 request_id=…`.
///
/// Values with spaces, quotes, `=` or control characters are quoted and escaped, so no value can
/// break a line in two or forge a field. Keys are sorted, message metadata after the logger's.
public struct LogfmtHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let writer: LogWriter

    public init(label: String, level: Logger.Level, writer: LogWriter = .standardError) {
        self.label = label
        self.logLevel = level
        self.writer = writer
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        writer.write(format(event), urgent: event.level >= .warning)
    }

    /// The whole line for `event`, newline included.
    func format(_ event: LogEvent) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        Self.appendTimestamp(to: &line)
        line.append(UInt8(ascii: " "))
        line += event.level.rawValue.utf8
        line.append(UInt8(ascii: " "))
        Self.append(value: event.message.description, to: &line)
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { $1 } }
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { Self.append(key: key, value: value, to: &line) }
        if let extra = event.metadata {
            for (key, value) in extra.sorted(by: { $0.key < $1.key }) { Self.append(key: key, value: value, to: &line) }
        }
        line.append(UInt8(ascii: "\n"))
        return line
    }

    private static func append(key: String, value: Logger.Metadata.Value, to line: inout [UInt8]) {
        line.append(UInt8(ascii: " "))
        appendUTF8(key, to: &line)
        line.append(UInt8(ascii: "="))
        if case .string(let text) = value {
            append(value: text, to: &line)
        } else {
            append(value: value.description, to: &line)
        }
    }

    /// Bare when the value is a plain word, otherwise in double quotes with `"`, `\` and control characters escaped.
    static func append(value: String, to line: inout [UInt8]) {
        var value = value
        let plain = value.withUTF8 { bytes in
            !bytes.isEmpty && bytes.allSatisfy { $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "\\") }
        }
        if plain {
            appendUTF8(value, to: &line)
            return
        }
        line.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                line += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: "\n"):
                line += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0..<0x20, 0x7F:
                line += Array("\\u00".utf8) + hexDigits(byte)
            default:
                line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    /// Appends a string's bytes in one copy.
    private static func appendUTF8(_ text: String, to line: inout [UInt8]) {
        var text = text
        text.withUTF8 { line.append(contentsOf: $0) }
    }

    private static func hexDigits(_ byte: UInt8) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
    }

    /// UTC with milliseconds, e.g. `2026-11-22T20:30:01.123Z`.
    private static func appendTimestamp(to line: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) { line += [UInt8(48 + value / 10), UInt8(48 + value % 10)] }
        let year = Int(parts.tm_year) + 1900
        line += String(year).utf8
        line.append(UInt8(ascii: "-")); two(parts.tm_mon + 1)
        line.append(UInt8(ascii: "-")); two(parts.tm_mday)
        line.append(UInt8(ascii: "T")); two(parts.tm_hour)
        line.append(UInt8(ascii: ":")); two(parts.tm_min)
        line.append(UInt8(ascii: ":")); two(parts.tm_sec)
        let milliseconds = Int32(now.tv_nsec / 1_000_000)
        line += [UInt8(ascii: "."), UInt8(48 + milliseconds / 100), UInt8(48 + milliseconds / 10 % 10), UInt8(48 + milliseconds % 10), UInt8(ascii: "Z")]
    }
}
