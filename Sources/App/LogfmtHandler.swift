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
    public var metadataProvider: Logger.MetadataProvider?
    /// The logger's own metadata, kept sorted by key: a request's logger adds one key to it per request,
    /// which costs less in a short array than in a dictionary, and needs no sorting when written.
    private var fields: [(key: String, value: Logger.Metadata.Value)] = []
    private let label: String
    private let writer: LogWriter
    /// Each line starts with its syslog priority (`<4>` for a warning), which the journal takes off and
    /// keeps, so that `journalctl -p warning` shows warnings and worse.
    private let syslogPriorities: Bool

    public init(label: String, level: Logger.Level, writer: LogWriter = .standardError, syslogPriorities: Bool = false) {
        self.label = label
        self.logLevel = level
        self.writer = writer
        self.syslogPriorities = syslogPriorities
    }

    /// Whether standard error is the journal's stream: systemd sets `JOURNAL_STREAM` to its device and inode.
    public static func standardErrorIsTheJournal(_ environment: [String: String]) -> Bool {
        var status = stat()
        guard let stream = environment["JOURNAL_STREAM"], fstat(STDERR_FILENO, &status) == 0 else { return false }
        return stream == "\(status.st_dev):\(status.st_ino)"
    }

    public var metadata: Logger.Metadata {
        get { Logger.Metadata(fields, uniquingKeysWith: { $1 }) }
        set { fields = newValue.sorted { Self.precedes($0.key, $1.key) } }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { fields.first { $0.key == key }?.value }
        set {
            if let index = fields.firstIndex(where: { $0.key == key }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                let index = fields.firstIndex { Self.precedes(key, $0.key) } ?? fields.endIndex
                fields.insert((key, newValue), at: index)
            }
        }
    }

    public func log(event: LogEvent) {
        writer.write(format(event), urgent: event.level >= .warning)
    }

    /// The whole line for `event`, newline included.
    func format(_ event: LogEvent) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        if syslogPriorities { line += Self.syslogPriority(event.level).utf8 }
        Self.appendTimestamp(to: &line)
        line.append(UInt8(ascii: " "))
        line += event.level.rawValue.utf8
        line.append(UInt8(ascii: " "))
        Self.append(value: event.message.description, to: &line)
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            Self.append(metadata.merging(provided) { $1 }, to: &line)
        } else {
            for (key, value) in fields { Self.append(key: key, value: value, to: &line) }
        }
        if let extra = event.metadata { Self.append(extra, to: &line) }
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// `<N>`: syslog's priority for the level (debug 7 ... critical 2).
    private static func syslogPriority(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "<7>"
        case .info: "<6>"
        case .notice: "<5>"
        case .warning: "<4>"
        case .error: "<3>"
        case .critical: "<2>"
        }
    }

    /// The fields sorted by key.
    private static func append(_ fields: Logger.Metadata, to line: inout [UInt8]) {
        if fields.count == 1, let (key, value) = fields.first {
            append(key: key, value: value, to: &line)
        } else if !fields.isEmpty {
            for (key, value) in fields.sorted(by: { precedes($0.key, $1.key) }) { append(key: key, value: value, to: &line) }
        }
    }

    /// Byte order of the keys: the same as `<` for the ASCII keys logs use, and cheaper.
    private static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
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
    static func appendTimestamp(to line: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        appendTimestamp(seconds: Int(now.tv_sec), milliseconds: Int(now.tv_nsec / 1_000_000), to: &line)
    }

    /// The date by arithmetic (Howard Hinnant's `civil_from_days`) rather than `gmtime_r`, which
    /// costs more than the rest of a log line.
    static func appendTimestamp(seconds: Int, milliseconds: Int, to line: inout [UInt8]) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                line.append(UInt8(48 + value / divisor % 10))
                divisor /= 10
            }
        }
        digits(year, 4)
        line.append(UInt8(ascii: "-")); digits(month, 2)
        line.append(UInt8(ascii: "-")); digits(day, 2)
        line.append(UInt8(ascii: "T")); digits(secondOfDay / 3600, 2)
        line.append(UInt8(ascii: ":")); digits(secondOfDay / 60 % 60, 2)
        line.append(UInt8(ascii: ":")); digits(secondOfDay % 60, 2)
        line.append(UInt8(ascii: ".")); digits(milliseconds, 3)
        line.append(UInt8(ascii: "Z"))
    }
}
