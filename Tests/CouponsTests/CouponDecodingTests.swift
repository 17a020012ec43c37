import Coupons
import StrictJSON
import Testing

typealias Bodies = CouponBodies

@Suite struct CouponDecodingTests {
    @Test func wechatsOwnExampleIsAcceptedAndKeptWhole() throws {
        let coupon = try Coupon.decode(requestBody: try JSONParser.parse(Array(Bodies.wechatExample.utf8)))
        #expect(coupon.outCouponID == "coupon_id_1")
        #expect(coupon.type == .shopConditionalDiscount)
        #expect(coupon.couponInfo.name == "示例优惠券")
        #expect(coupon.couponInfo.promoteInfo.finderNickname == "视频号昵称")
        // Fields type 101 does not need are kept.
        let condition = try #require(coupon.couponInfo.discountInfo.discountCondition)
        #expect(condition.outProductIDs == ["product_id_3", "product_id_4"])
        #expect(condition.tradeinInfo == Coupon.TradeinInfo(outProductID: "product_id_5", price: 10000))
        #expect(condition.buygetInfo?.getProductCnt == 2131241242)
        #expect(coupon.couponInfo.discountInfo.discountFee == 6400)
        #expect(coupon.couponInfo.validInfo.validSecond == 3600)
        // What is stored and sent decodes to the same coupon.
        #expect(try Coupon.decode(try JSONParser.parse(coupon.canonicalJSON)) == coupon)
        let stripped = Bodies.wechatExample.filter { !$0.isNewline }
        #expect(String(decoding: coupon.canonicalJSON, as: UTF8.self).count == stripped.count - #"{"coupon":}"#.count)
    }

    @Test(arguments: CouponType.allCases)
    func eachTypeAcceptsABodyWithJustWhatItNeeds(type: CouponType) {
        #expect(Bodies.errors(Bodies.minimal(type)) == [])
    }

    @Test(arguments: CouponType.allCases.flatMap { type in type.requiredFields.map { (type, $0) } })
    func eachFieldATypeNeedsIsRequired(type: CouponType, field: DiscountField) {
        let path = "coupon.coupon_info.discount_info.\(field.rawValue)"
        let body = Bodies.removing(path, from: Bodies.minimal(type))
        #expect(Bodies.errors(body) == ["\(path): is required for \(type.reference)"])
    }

    @Test func aMissingDiscountConditionIsNamedOnceForAProductType() {
        let body = Bodies.removing("coupon.coupon_info.discount_info.discount_condition", from: Bodies.minimal(.productFullReduction))
        #expect(Bodies.errors(body) == [
            "coupon.coupon_info.discount_info.discount_condition: is required for type 2 (product full-reduction)",
        ])
    }

    @Test(arguments: [
        "coupon.out_coupon_id", "coupon.type", "coupon.promote_type", "coupon.coupon_info",
        "coupon.coupon_info.name", "coupon.coupon_info.promote_info", "coupon.coupon_info.promote_info.promote_type",
        "coupon.coupon_info.promote_info.finder", "coupon.coupon_info.promote_info.finder.nickname",
        "coupon.coupon_info.discount_info", "coupon.coupon_info.receive_info",
        "coupon.coupon_info.receive_info.start_time", "coupon.coupon_info.receive_info.end_time",
        "coupon.coupon_info.receive_info.limit_num_one_person", "coupon.coupon_info.receive_info.total_num",
        "coupon.coupon_info.valid_info", "coupon.coupon_info.valid_info.valid_type",
    ])
    func fieldsEveryCouponNeeds(path: String) {
        #expect(Bodies.errors(Bodies.removing(path, from: Bodies.minimal(.shopDirectReduction))) == ["\(path): is required"])
    }

    @Test(arguments: [
        (1, ["start_time", "end_time"]), (2, ["valid_day_num"]), (3, ["valid_second"]),
    ])
    func validTypeDecidesWhichFieldsAreNeeded(validType: Int, needed: [String]) {
        let valid: [String: Any] = [
            "valid_type": validType, "valid_day_num": 3, "valid_second": 3600, "start_time": 1_800_000_000, "end_time": 1_800_100_000,
        ]
        let body = Bodies.setting("coupon.coupon_info.valid_info", to: valid, in: Bodies.minimal(.shopFlatDiscount))
        #expect(Bodies.errors(body) == [])
        for field in needed {
            let path = "coupon.coupon_info.valid_info.\(field)"
            #expect(Bodies.errors(Bodies.removing(path, from: body)) == ["\(path): is required for valid_type \(validType)"])
        }
    }

    @Test func everyErrorOfABodyIsReportedAtOnce() {
        var body = Bodies.minimal(.productFlatDiscount)
        body = Bodies.setting("coupon.out_coupon_id", to: "", in: body)
        body = Bodies.setting("coupon.type", to: 7, in: body)
        body = Bodies.setting("coupon.coupon_info.discount_info.discount_condition.out_product_ids", to: ["a", "b", "c", "a b", "a"], in: body)
        body = Bodies.setting("coupon.coupon_info.receive_info.total_num", to: -5, in: body)
        body = Bodies.setting("coupon.coupon_info.valid_info.extra", to: true, in: body)
        body = Bodies.setting("coupon.surprise", to: 1, in: body)
        #expect(Bodies.errors(body) == [
            "coupon.out_coupon_id: must not be empty",
            "coupon.type: must be one of 1, 2, 3, 4, 5, 6, 101, 102, 103, 104",
            "coupon.coupon_info.discount_info.discount_condition.out_product_ids[3]: may contain only letters A-Z and a-z, digits, '_' and '-'",
            "coupon.coupon_info.discount_info.discount_condition.out_product_ids[4]: repeats the product id at [0]",
            "coupon.coupon_info.receive_info.total_num: must not be negative",
            "coupon.coupon_info.valid_info.extra: is not a field of this object",
            "coupon.surprise: is not a field of this object",
        ])
    }

    @Test func wrongKindsNullsAndBrokenTextAreNamed() {
        var body = Bodies.minimal(.shopDirectReduction)
        body = Bodies.setting("coupon.type", to: "104", in: body)
        body = Bodies.setting("coupon.coupon_info.discount_info.discount_fee", to: 1.5, in: body)
        body = Bodies.setting("coupon.coupon_info.receive_info", to: [1, 2], in: body)
        body = Bodies.setting("coupon.coupon_info.promote_info.finder.nickname", to: NSNull(), in: body)
        body = Bodies.setting("coupon.coupon_info.name", to: ["nested": ["deeper": true]], in: body)
        #expect(Bodies.errors(body) == [
            "coupon.type: must be a number, not a string",
            "coupon.coupon_info.name: must be a string, not an object",
            "coupon.coupon_info.promote_info.finder.nickname: must be a string, not null",
            "coupon.coupon_info.discount_info.discount_fee: must be a whole number, written without a fraction or exponent",
            "coupon.coupon_info.receive_info: must be an object, not an array",
        ])
        let text = String(decoding: Bodies.bytes(Bodies.minimal(.shopDirectReduction)), as: UTF8.self)
        var bytes = Array(text.replacingOccurrences(of: "Spring sale", with: "SpringXsale").utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "X"))!] = 0xFF
        #expect(Bodies.errors(bytes) == ["coupon.coupon_info.name: is not valid UTF-8 text"])
        #expect(Bodies.errors(Array(#"{"coupon": {}, "coupon": {}}"#.utf8)).contains("coupon: appears more than once"))
        #expect(Bodies.errors(Array("[]".utf8)) == ["the body: must be an object, not an array"])
    }
}

import Foundation
