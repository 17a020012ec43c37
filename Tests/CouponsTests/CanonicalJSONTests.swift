import Coupons
import Foundation
import StrictJSON
import TestSupport
import Testing

/// A coupon's stored body is written by StrictJSON's writer; bodies stored before were written by
/// Foundation's encoder, with sorted keys.
@Suite struct CanonicalJSONTests {
    static let bodies = [
        WeChatExample.addBody, WeChatExample.directReduction(id: "c1", name: #"示例 \"quoted\" \\ back/slash 🎉"#),
    ]

    @Test(arguments: bodies)
    func theBytesAreThoseFoundationWrote(body: String) throws {
        let coupon = try Coupon.decode(requestBody: try JSONParser.parse(Array(body.utf8)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: coupon.canonicalJSON, as: UTF8.self) == String(decoding: try encoder.encode(coupon), as: UTF8.self))
        #expect(try Coupon.decode(JSONParser.parse(coupon.canonicalJSON)) == coupon)
    }

    @Test func bodiesThatDifferOnlyInEscapesOrMemberOrderAreTheSameCoupon() {
        #expect(Coupon.sameBody(#"{"a":"\u00e9","b":1}"#, #"{"b":1,"a":"é"}"#))
        #expect(!Coupon.sameBody(#"{"a":"e","b":1}"#, #"{"b":1,"a":"é"}"#))
        #expect(!Coupon.sameBody(#"{"a":1}"#, "not json"))
    }
}
