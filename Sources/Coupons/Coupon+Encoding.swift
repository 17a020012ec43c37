import Foundation

extension Coupon {
    /// Compact JSON with sorted keys, the shape `decode` reads: equal coupons give equal bytes.
    public var canonicalJSON: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and integers only: encoding cannot fail.
        return Array(try! encoder.encode(self))
    }
}
