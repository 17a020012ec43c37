/// WeChat's ten coupon types: 1–6 apply to given products, 101–104 to the whole shop.
public enum CouponType: Int, Sendable, CaseIterable, Encodable {
    case productConditionalDiscount = 1
    case productFullReduction = 2
    case productFlatDiscount = 3
    case productDirectReduction = 4
    case productExchange = 5
    case productBuyGet = 6
    case shopConditionalDiscount = 101
    case shopFullReduction = 102
    case shopFlatDiscount = 103
    case shopDirectReduction = 104

    /// The fields of `coupon_info.discount_info` a coupon of this type must have.
    public var requiredFields: Set<DiscountField> {
        switch self {
        case .productConditionalDiscount: [.outProductIDs, .productCnt, .discountNum]
        case .productFullReduction: [.outProductIDs, .productPrice, .discountFee]
        case .productFlatDiscount: [.outProductIDs, .discountNum]
        case .productDirectReduction: [.outProductIDs, .discountFee]
        case .productExchange: [.outProductIDs, .tradeinInfo]
        case .productBuyGet: [.buygetInfo]
        case .shopConditionalDiscount: [.productCnt, .discountNum]
        case .shopFullReduction: [.productPrice, .discountFee]
        case .shopFlatDiscount: [.discountNum]
        case .shopDirectReduction: [.discountFee]
        }
    }

    /// Full-reduction coupons take `discount_fee` off an order of at least `product_price`, so the fee must be below it.
    public var isFullReduction: Bool { self == .productFullReduction || self == .shopFullReduction }

    /// "type 2 (product full-reduction)", for error messages.
    public var reference: String { "type \(rawValue) (\(title))" }

    public var title: String {
        switch self {
        case .productConditionalDiscount: "product conditional discount"
        case .productFullReduction: "product full-reduction"
        case .productFlatDiscount: "product flat discount"
        case .productDirectReduction: "product direct reduction"
        case .productExchange: "product exchange"
        case .productBuyGet: "product buy-get"
        case .shopConditionalDiscount: "shop conditional discount"
        case .shopFullReduction: "shop full-reduction"
        case .shopFlatDiscount: "shop flat discount"
        case .shopDirectReduction: "shop direct reduction"
        }
    }
}

/// The fields of `coupon_info.discount_info` that some coupon types require.
public enum DiscountField: String, Sendable, CaseIterable {
    case outProductIDs = "discount_condition.out_product_ids"
    case productCnt = "discount_condition.product_cnt"
    case productPrice = "discount_condition.product_price"
    case tradeinInfo = "discount_condition.tradein_info"
    case buygetInfo = "discount_condition.buyget_info"
    case discountNum = "discount_num"
    case discountFee = "discount_fee"

    public var inCondition: Bool { rawValue.hasPrefix("discount_condition.") }
}
