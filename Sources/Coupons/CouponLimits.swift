import StrictJSON

/// The limits a coupon's values must keep, beyond WeChat's own field types. The API document
/// (`openapi.json`) states the same numbers.
public enum CouponLimits {
    /// `out_coupon_id` and every product id: letters, digits, `_` and `-`, so an id is a URL path
    /// segment as it stands.
    public static let identifierLength = 1...64
    /// Ids the API's paths take for themselves (`POST /api/v1/coupons/import`, `.../bulk`): no coupon may have them.
    public static let reservedCouponIDs: Set<String> = ["import", "bulk"]
    /// `coupon_info.name` and the Channels nickname, counted in Unicode code points as JSON Schema counts them.
    public static let textLength = 1...32
    public static let productIDCount = 1...128
    /// A discount is strictly between nothing off (0) and everything off (10000).
    public static let discountNum = 1...9999
    /// Every other number: WeChat's fields are signed 32-bit.
    public static let maximum = StrictJSON.maximumInteger

    /// What is wrong with an id, or nil when it is a valid one.
    public static func identifierProblem(_ text: String) -> TextProblem? {
        if text.isEmpty { return .empty }
        if text.utf8.count > identifierLength.upperBound { return .tooLong(maximum: identifierLength.upperBound) }
        let allowed = text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
        return allowed ? nil : .notIdentifier
    }

    /// What is wrong with a name or nickname, or nil when it is a valid one.
    public static func textProblem(_ text: String) -> TextProblem? {
        let count = text.unicodeScalars.count
        if count == 0 { return .empty }
        if count > textLength.upperBound { return .tooLong(maximum: textLength.upperBound) }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return .controlCharacters }
        return nil
    }
}

/// Why a text value breaks `CouponLimits`; `description` is the API's English message.
public enum TextProblem: Sendable, Equatable, CustomStringConvertible {
    case empty
    case tooLong(maximum: Int)
    case notIdentifier
    case controlCharacters

    public var description: String {
        switch self {
        case .empty: "must not be empty"
        case .tooLong(let maximum): "must be at most \(maximum) characters"
        case .notIdentifier: "may contain only letters A-Z and a-z, digits, '_' and '-'"
        case .controlCharacters: "must not contain control characters"
        }
    }
}
