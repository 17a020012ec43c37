/// The body length a request announces in `CONTENT_LENGTH`, judged before any of the body is read.
///
/// libfcgi does not check `CONTENT_LENGTH` against the body, so the worker parses it strictly:
/// ASCII digits only (no sign, no spaces), and no more than the configured limit.
public enum ContentLength: Equatable, Sendable {
    case length(Int)
    case malformed
    case tooLarge

    /// An absent or empty value means no body.
    public static func parse(_ value: String?, limit: Int) -> ContentLength {
        guard let value, !value.isEmpty else { return .length(0) }
        var length = 0
        for byte in value.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return .malformed }
            let (shifted, overflowA) = length.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            // Keep scanning after passing the limit so that trailing garbage still counts as malformed.
            length = (overflowA || overflowB) ? Int.max : sum
        }
        return length > limit ? .tooLarge : .length(length)
    }
}
