/// What staff type, in the units they think in, and what WeChat takes: yuan and fen, 折 and
/// `discount_num`, hours and seconds. Every conversion is exact decimal arithmetic on the text, never
/// floating point: 0.1 + 0.2 yuan is 30 fen.
public enum Units {
    /// "12" -> 12: digits only (full-width too), no sign or fraction.
    public static func wholeNumber(_ text: String) -> Int? { FixedPoint.parse(text, places: 0) }

    /// "12.3" yuan -> 1230 fen; nil for text that is not an amount with at most two decimals.
    public static func fen(yuan text: String) -> Int? { FixedPoint.parse(text, places: 2) }

    /// 1230 fen -> "12.3", 10000 -> "100".
    public static func yuan(fen: Int) -> String { FixedPoint.format(fen, places: 2) }

    /// "9.8" 折 -> 9800 (WeChat's discount times 1000); at most three decimals.
    public static func discountNum(zhe text: String) -> Int? { FixedPoint.parse(text, places: 3) }

    /// 9800 -> "9.8", 5000 -> "5".
    public static func zhe(discountNum: Int) -> String { FixedPoint.format(discountNum, places: 3) }

    /// 9800 (9.8折) -> "2": the percent taken off, as English speakers say a discount.
    public static func percentOff(discountNum: Int) -> String { FixedPoint.format(10000 - discountNum, places: 2) }

    /// "1.5" hours -> 5400 seconds; at most two decimals (36 s steps).
    public static func seconds(hours text: String) -> Int? { FixedPoint.parse(text, places: 2).map { $0 * 36 } }

    /// 5400 seconds -> "1.5"; nil when the seconds are not a whole number of 36 s steps.
    public static func hours(seconds: Int) -> String? { seconds % 36 == 0 ? FixedPoint.format(seconds / 36, places: 2) : nil }
}

/// Decimal text read as a whole number of its smallest unit: "0.1" with 2 places is 10.
enum FixedPoint {
    /// Digits up to 15 of them, then optionally "." and at most `places` digits. Spaces around are
    /// ignored and full-width digits and point (as Chinese input methods type them) are read as ASCII.
    /// No sign, no exponent, no thousands separators.
    static func parse(_ text: String, places: Int) -> Int? {
        let characters = normalized(text)
        let parts = characters.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0], fraction = parts.count > 1 ? parts[1] : []
        guard !whole.isEmpty || !fraction.isEmpty, whole.count <= 15, fraction.count <= places,
              parts.count == 1 || !fraction.isEmpty,
              (whole + fraction).allSatisfy({ $0 >= "0" && $0 <= "9" })
        else { return nil }
        var value = 0
        for digit in whole + fraction + Array(repeating: "0", count: places - fraction.count) {
            value = value * 10 + Int(digit.asciiValue! - 48)
        }
        return value
    }

    /// 1230 with 2 places -> "12.3".
    static func format(_ value: Int, places: Int) -> String {
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        let whole = magnitude / UInt(scale), fraction = magnitude % UInt(scale)
        guard fraction != 0 else { return sign + String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: places - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return sign + String(whole) + "." + digits
    }

    private static func normalized(_ text: String) -> [Character] {
        text.trimmedWhitespace.map { character in
            guard let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1 else { return character }
            switch scalar.value {
            case 0xFF10...0xFF19: return Character(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!)
            case 0xFF0E, 0x3002: return "."
            default: return character
            }
        }
    }
}

extension String {
    /// Without whitespace at either end: spaces, tabs, line breaks, and the ideographic space Chinese input methods type.
    public var trimmedWhitespace: Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
