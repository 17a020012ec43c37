import Coupons
import Testing

/// Each limit on both sides: the last value accepted and the first refused.
@Suite struct CouponLimitsTests {
    static let condition = "coupon.coupon_info.discount_info.discount_condition"

    func errors(_ path: String, _ value: Any, type: CouponType = .productFullReduction) -> [String] {
        Bodies.errors(Bodies.setting(path, to: value, in: Bodies.minimal(type)))
    }

    @Test func couponIDs() {
        let path = "coupon.out_coupon_id"
        #expect(errors(path, String(repeating: "a", count: 64)) == [])
        #expect(errors(path, "Az09_-") == [])
        #expect(errors(path, String(repeating: "a", count: 65)) == ["\(path): must be at most 64 characters"])
        #expect(errors(path, "") == ["\(path): must not be empty"])
        for bad in ["a/b", "a b", "a.b", "券", "a%2F", "a?b"] {
            #expect(errors(path, bad) == ["\(path): may contain only letters A-Z and a-z, digits, '_' and '-'"], "\(bad)")
        }
    }

    @Test(arguments: ["coupon.coupon_info.name", "coupon.coupon_info.promote_info.finder.nickname"])
    func namesInAnyScriptUpTo32Characters(path: String) {
        #expect(errors(path, "示例优惠券") == [])
        #expect(errors(path, "🎉 春季大促 Spring sale 🎉") == [])
        #expect(errors(path, String(repeating: "优", count: 32)) == [])
        #expect(errors(path, String(repeating: "😀", count: 32)) == [])
        #expect(errors(path, String(repeating: "优", count: 33)) == ["\(path): must be at most 32 characters"])
        #expect(errors(path, String(repeating: "a", count: 33)) == ["\(path): must be at most 32 characters"])
        #expect(errors(path, "") == ["\(path): must not be empty"])
        #expect(errors(path, "line\nbreak") == ["\(path): must not contain control characters"])
    }

    @Test func productIDLists() {
        let path = "\(Self.condition).out_product_ids"
        #expect(errors(path, (1...128).map { "p\($0)" }) == [])
        #expect(errors(path, ["p"]) == [])
        #expect(errors(path, (1...129).map { "p\($0)" }) == ["\(path): must hold from 1 to 128 product ids, not 129"])
        #expect(errors(path, [String]()) == ["\(path): must hold from 1 to 128 product ids, not 0"])
        #expect(errors(path, ["p1", "p2", "p1"]) == ["\(path)[2]: repeats the product id at [0]"])
        #expect(errors(path, ["p1", ""]) == ["\(path)[1]: must not be empty"])
        #expect(errors(path, ["p1", String(repeating: "x", count: 65)]) == ["\(path)[1]: must be at most 64 characters"])
        #expect(errors(path, ["p1", 2]) == ["\(path)[1]: must be a string, not a number"])
        #expect(errors(path, [["p1"]]) == ["\(path)[0]: must be a string, not an array"])
    }

    @Test func discountNumIsStrictlyBetween0And10000() {
        let path = "coupon.coupon_info.discount_info.discount_num"
        for good in [1, 9999] { #expect(errors(path, good, type: .shopFlatDiscount) == []) }
        for bad in [0, 10000] {
            #expect(errors(path, bad, type: .shopFlatDiscount) == ["\(path): must be more than 0 and less than 10000"])
        }
    }

    @Test func discountFeeIsPositiveAndBelowTheThresholdOfAFullReduction() {
        let fee = "coupon.coupon_info.discount_info.discount_fee"
        #expect(errors(fee, 9999) == [])  // product_price is 10000
        #expect(errors(fee, 10000) == ["\(fee): must be less than discount_condition.product_price (10000) for type 2 (product full-reduction)"])
        #expect(errors(fee, 0) == ["\(fee): must be at least 1"])
        #expect(errors(fee, 1) == [])
        // A direct reduction has no threshold.
        let direct = Bodies.setting("\(Self.condition).product_price", to: 100, in: Bodies.minimal(.shopDirectReduction))
        #expect(Bodies.errors(Bodies.setting(fee, to: 500, in: direct)) == [])
        let shop = Bodies.setting(fee, to: 10000, in: Bodies.minimal(.shopFullReduction))
        #expect(Bodies.errors(shop) == ["\(fee): must be less than discount_condition.product_price (10000) for type 102 (shop full-reduction)"])
    }

    @Test(arguments: ["coupon.coupon_info.receive_info", "coupon.coupon_info.valid_info"])
    func startsComeBeforeEnds(object: String) {
        var body = Bodies.minimal(.shopFlatDiscount)
        body = Bodies.setting("coupon.coupon_info.valid_info", to: ["valid_type": 1, "start_time": 100, "end_time": 200], in: body)
        body = Bodies.setting("coupon.coupon_info.receive_info.start_time", to: 100, in: body)
        body = Bodies.setting("coupon.coupon_info.receive_info.end_time", to: 200, in: body)
        #expect(Bodies.errors(Bodies.setting("\(object).end_time", to: 101, in: body)) == [])
        #expect(Bodies.errors(Bodies.setting("\(object).end_time", to: 100, in: body)) == ["\(object).end_time: must be after start_time (100)"])
        #expect(Bodies.errors(Bodies.setting("\(object).end_time", to: 99, in: body)) == ["\(object).end_time: must be after start_time (100)"])
    }

    @Test(arguments: [
        "coupon.coupon_info.receive_info.limit_num_one_person", "coupon.coupon_info.receive_info.total_num",
        "\(condition).product_cnt", "\(condition).product_price",
    ])
    func countsAndAmountsAreAtLeast1AndAtMost32Bit(path: String) {
        #expect(errors(path, 1, type: .shopConditionalDiscount).filter { $0.hasPrefix(path) } == [])
        #expect(errors(path, 2_147_483_647, type: .shopConditionalDiscount).filter { $0.hasPrefix(path) } == [])
        #expect(errors(path, 0, type: .shopConditionalDiscount) == ["\(path): must be at least 1"])
        #expect(errors(path, 2_147_483_648, type: .shopConditionalDiscount) == ["\(path): must be at most 2147483647"])
    }

    @Test func timesMayBeZeroButNotNegative() {
        let path = "coupon.coupon_info.receive_info.start_time"
        #expect(errors(path, 0) == [])
        #expect(errors(path, -1) == ["\(path): must not be negative"])
    }

    @Test func exchangeAndBuyGetDetailsAreWhole() {
        let tradein = "\(Self.condition).tradein_info"
        #expect(Bodies.errors(Bodies.removing("\(tradein).price", from: Bodies.minimal(.productExchange))) == ["\(tradein).price: is required"])
        #expect(Bodies.errors(Bodies.setting("\(tradein).price", to: 0, in: Bodies.minimal(.productExchange))) == ["\(tradein).price: must be at least 1"])
        let buyget = "\(Self.condition).buyget_info"
        for field in ["buy_out_product_id", "buy_product_cnt", "get_out_product_id", "get_product_cnt"] {
            #expect(Bodies.errors(Bodies.removing("\(buyget).\(field)", from: Bodies.minimal(.productBuyGet))) == ["\(buyget).\(field): is required"])
        }
    }

    @Test func promoteTypesAreTheOnesWeChatKnows() {
        #expect(errors("coupon.promote_type", 4) == [])
        #expect(errors("coupon.promote_type", 1) == ["coupon.promote_type: must be one of 4"])
        #expect(errors("coupon.coupon_info.promote_info.promote_type", 5) == ["coupon.coupon_info.promote_info.promote_type: must be one of 4"])
    }
}
