import StrictJSON

extension Coupon {
    /// Compact JSON with sorted keys, the shape `decode` reads: equal coupons give equal bytes.
    public var canonicalJSON: [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        // Strings and integers only: encoding cannot fail.
        writer.value(try! JSONValueEncoder.encode(self), sortingKeys: true)
        return writer.bytes
    }

    /// Whether two stored bodies are the same coupon: the same bytes, or JSON whose values are equal
    /// (a body stored by an earlier version may differ in its bytes only, such as in escapes).
    public static func sameBody(_ one: String, _ other: String) -> Bool {
        if one == other { return true }
        guard let first = try? JSONParser.parse(Array(one.utf8)), let second = try? JSONParser.parse(Array(other.utf8)) else { return false }
        return first.sortingKeys == second.sortingKeys
    }
}
