/// A shop coupon as WeChat's `/shop/coupon/add` takes it: every field of the object, the ones a
/// coupon's type does not need included. Amounts are in fen, times in unix seconds.
public struct Coupon: Sendable, Equatable, Encodable {
    public var outCouponID: String
    public var type: CouponType
    public var promoteType: PromoteType
    public var couponInfo: Info

    enum CodingKeys: String, CodingKey {
        case outCouponID = "out_coupon_id", type, promoteType = "promote_type", couponInfo = "coupon_info"
    }

    public init(outCouponID: String, type: CouponType, promoteType: PromoteType, couponInfo: Info) {
        self.outCouponID = outCouponID
        self.type = type
        self.promoteType = promoteType
        self.couponInfo = couponInfo
    }

    public struct Info: Sendable, Equatable, Encodable {
        public var name: String
        public var promoteInfo: PromoteInfo
        public var discountInfo: DiscountInfo
        public var receiveInfo: ReceiveInfo
        public var validInfo: ValidInfo

        enum CodingKeys: String, CodingKey {
            case name, promoteInfo = "promote_info", discountInfo = "discount_info", receiveInfo = "receive_info", validInfo = "valid_info"
        }

        public init(name: String, promoteInfo: PromoteInfo, discountInfo: DiscountInfo, receiveInfo: ReceiveInfo, validInfo: ValidInfo) {
            self.name = name
            self.promoteInfo = promoteInfo
            self.discountInfo = discountInfo
            self.receiveInfo = receiveInfo
            self.validInfo = validInfo
        }
    }

    public struct PromoteInfo: Sendable, Equatable, Encodable {
        public var promoteType: PromoteType
        /// The WeChat Channels account the coupon is promoted on.
        public var finderNickname: String

        enum CodingKeys: String, CodingKey { case promoteType = "promote_type", finder }
        enum FinderKeys: String, CodingKey { case nickname }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(promoteType, forKey: .promoteType)
            var finder = container.nestedContainer(keyedBy: FinderKeys.self, forKey: .finder)
            try finder.encode(finderNickname, forKey: .nickname)
        }

        public init(promoteType: PromoteType, finderNickname: String) {
            self.promoteType = promoteType
            self.finderNickname = finderNickname
        }
    }

    public struct DiscountInfo: Sendable, Equatable, Encodable {
        public var discountCondition: DiscountCondition?
        /// The discount times 1000: 9.8折 (2% off) is 9800.
        public var discountNum: Int?
        /// The amount taken off, in fen.
        public var discountFee: Int?

        enum CodingKeys: String, CodingKey {
            case discountCondition = "discount_condition", discountNum = "discount_num", discountFee = "discount_fee"
        }

        public init(discountCondition: DiscountCondition? = nil, discountNum: Int? = nil, discountFee: Int? = nil) {
            self.discountCondition = discountCondition
            self.discountNum = discountNum
            self.discountFee = discountFee
        }
    }

    public struct DiscountCondition: Sendable, Equatable, Encodable {
        public var productCnt: Int?
        /// The amount the order must reach, in fen.
        public var productPrice: Int?
        public var outProductIDs: [String]?
        public var tradeinInfo: TradeinInfo?
        public var buygetInfo: BuygetInfo?

        enum CodingKeys: String, CodingKey {
            case productCnt = "product_cnt", productPrice = "product_price", outProductIDs = "out_product_ids"
            case tradeinInfo = "tradein_info", buygetInfo = "buyget_info"
        }

        public init(
            productCnt: Int? = nil, productPrice: Int? = nil, outProductIDs: [String]? = nil,
            tradeinInfo: TradeinInfo? = nil, buygetInfo: BuygetInfo? = nil
        ) {
            self.productCnt = productCnt
            self.productPrice = productPrice
            self.outProductIDs = outProductIDs
            self.tradeinInfo = tradeinInfo
            self.buygetInfo = buygetInfo
        }
    }

    /// Exchange coupons: the product bought at `price` (fen) with the coupon.
    public struct TradeinInfo: Sendable, Equatable, Encodable {
        public var outProductID: String
        public var price: Int

        enum CodingKeys: String, CodingKey { case outProductID = "out_product_id", price }

        public init(outProductID: String, price: Int) {
            self.outProductID = outProductID
            self.price = price
        }
    }

    /// Buy-get coupons: buy `buyProductCnt` of one product, get `getProductCnt` of another.
    public struct BuygetInfo: Sendable, Equatable, Encodable {
        public var buyOutProductID: String
        public var buyProductCnt: Int
        public var getOutProductID: String
        public var getProductCnt: Int

        enum CodingKeys: String, CodingKey {
            case buyOutProductID = "buy_out_product_id", buyProductCnt = "buy_product_cnt"
            case getOutProductID = "get_out_product_id", getProductCnt = "get_product_cnt"
        }

        public init(buyOutProductID: String, buyProductCnt: Int, getOutProductID: String, getProductCnt: Int) {
            self.buyOutProductID = buyOutProductID
            self.buyProductCnt = buyProductCnt
            self.getOutProductID = getOutProductID
            self.getProductCnt = getProductCnt
        }
    }

    /// When the coupon can be claimed, and how many. Both counts are shown to users; the merchant enforces them.
    public struct ReceiveInfo: Sendable, Equatable, Encodable {
        public var startTime: Int
        public var endTime: Int
        public var limitNumOnePerson: Int
        public var totalNum: Int

        enum CodingKeys: String, CodingKey {
            case startTime = "start_time", endTime = "end_time", limitNumOnePerson = "limit_num_one_person", totalNum = "total_num"
        }

        public init(startTime: Int, endTime: Int, limitNumOnePerson: Int, totalNum: Int) {
            self.startTime = startTime
            self.endTime = endTime
            self.limitNumOnePerson = limitNumOnePerson
            self.totalNum = totalNum
        }
    }

    /// How long a claimed coupon stays usable; `validType` says which of the other fields count.
    public struct ValidInfo: Sendable, Equatable, Encodable {
        public var validType: ValidType
        public var validDayNum: Int?
        public var validSecond: Int?
        public var startTime: Int?
        public var endTime: Int?

        enum CodingKeys: String, CodingKey {
            case validType = "valid_type", validDayNum = "valid_day_num", validSecond = "valid_second"
            case startTime = "start_time", endTime = "end_time"
        }

        public init(validType: ValidType, validDayNum: Int? = nil, validSecond: Int? = nil, startTime: Int? = nil, endTime: Int? = nil) {
            self.validType = validType
            self.validDayNum = validDayNum
            self.validSecond = validSecond
            self.startTime = startTime
            self.endTime = endTime
        }
    }
}

/// Where a coupon is promoted. WeChat documents one channel.
public enum PromoteType: Int, Sendable, CaseIterable, Encodable {
    /// WeChat Channels (视频号) live streams.
    case finder = 4
}

public enum ValidType: Int, Sendable, CaseIterable, Encodable {
    /// From `start_time` to `end_time`.
    case timeRange = 1
    /// `valid_day_num` days from claiming.
    case days = 2
    /// `valid_second` seconds from claiming.
    case seconds = 3
}
