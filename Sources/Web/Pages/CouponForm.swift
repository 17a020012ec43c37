import Coupons
import FastCGI
import StrictJSON

/// The new-coupon form as staff fill it in: every value as typed, in yuan, 折, hours and local time.
/// `coupon(clock:)` turns it into WeChat's coupon or says, field by field, what to correct. Fields a
/// type does not use are ignored, so a form filled in without JavaScript (every field shown) works.
struct CouponForm {
    /// A message for one field: a catalog key and what fills its `{0}`, `{1}`.
    struct Problem: Equatable {
        var key: String
        var arguments: [String] = []
    }

    static let fieldNames: [String] = [
        "type", "out_coupon_id", "name", "finder_nickname", "product_ids", "product_count", "threshold_yuan", "discount_zhe",
        "reduction_yuan", "tradein_product_id", "tradein_price_yuan", "buy_product_id", "buy_count", "get_product_id", "get_count",
        "claim_start", "claim_end", "per_person", "total", "valid_type", "valid_start", "valid_end", "valid_days", "valid_hours",
    ]

    /// The fields holding a local date and time.
    static let timeFieldNames = ["claim_start", "claim_end", "valid_start", "valid_end"]

    /// The offer's fields, with the part of WeChat's `discount_info` each gives.
    static let offerFields: [(name: String, gives: DiscountField)] = [
        ("product_ids", .outProductIDs), ("product_count", .productCnt), ("threshold_yuan", .productPrice),
        ("discount_zhe", .discountNum), ("reduction_yuan", .discountFee), ("tradein_product_id", .tradeinInfo),
        ("tradein_price_yuan", .tradeinInfo), ("buy_product_id", .buygetInfo), ("buy_count", .buygetInfo),
        ("get_product_id", .buygetInfo), ("get_count", .buygetInfo),
    ]

    var values: [String: String]

    init(values: [String: String] = [:]) {
        self.values = values
    }

    /// The form as posted (`application/x-www-form-urlencoded`); a field the form does not have is refused.
    /// Smaller forms of the admin pages (a claim, a use time) are read with their own `fields` and checked
    /// with the same `Checker`.
    init(body: [UInt8], fields: [String] = Self.fieldNames) throws(HTTPError) {
        let parameters = try QueryParameters(String(decoding: body, as: UTF8.self), allowed: Set(fields + ["csrf_token"]))
        values = [:]
        for name in fields { values[name] = parameters[name] }
    }

    /// The form as staff would have filled it in for `coupon`, for editing it: the inverse of `coupon(clock:)`
    /// for every field the form has.
    init(coupon: Coupon, clock: ShopClock) {
        let info = coupon.couponInfo
        let discount = info.discountInfo
        let condition = discount.discountCondition
        let receive = info.receiveInfo
        let valid = info.validInfo
        let values: [String: String?] = [
            "type": String(coupon.type.rawValue), "out_coupon_id": coupon.outCouponID, "name": info.name,
            "finder_nickname": info.promoteInfo.finderNickname,
            "product_ids": condition?.outProductIDs?.joined(separator: "\n"), "product_count": condition?.productCnt.map(String.init),
            "threshold_yuan": condition?.productPrice.map(Units.yuan(fen:)), "discount_zhe": discount.discountNum.map(Units.zhe(discountNum:)),
            "reduction_yuan": discount.discountFee.map(Units.yuan(fen:)),
            "tradein_product_id": condition?.tradeinInfo?.outProductID, "tradein_price_yuan": condition?.tradeinInfo.map { Units.yuan(fen: $0.price) },
            "buy_product_id": condition?.buygetInfo?.buyOutProductID, "buy_count": condition?.buygetInfo.map { String($0.buyProductCnt) },
            "get_product_id": condition?.buygetInfo?.getOutProductID, "get_count": condition?.buygetInfo.map { String($0.getProductCnt) },
            "claim_start": clock.inputValue(receive.startTime), "claim_end": clock.inputValue(receive.endTime),
            "per_person": String(receive.limitNumOnePerson), "total": String(receive.totalNum), "valid_type": String(valid.validType.rawValue),
            "valid_start": valid.startTime.map(clock.inputValue), "valid_end": valid.endTime.map(clock.inputValue),
            "valid_days": valid.validDayNum.map(String.init),
            // Hours have two decimals on the form; a validity in seconds that is not a whole 36 s is shown as its nearest.
            "valid_hours": valid.validSecond.map { Units.hours(seconds: $0) ?? Units.hours(seconds: ($0 + 18) / 36 * 36) ?? "" },
        ]
        self.init(values: values.compactMapValues { $0 })
    }

    subscript(name: String) -> String { values[name] ?? "" }

    /// The coupon the form describes, or the problems by field name (`""` for the form as a whole).
    func coupon(clock: ShopClock) -> Result<Coupon, FormErrors> {
        var check = Checker(form: self, clock: clock)
        let type = check.choice("type", CouponType.init(rawValue:))
        let id = check.identifier("out_coupon_id")
        let name = check.text("name")
        let nickname = check.text("finder_nickname")

        let needs = type?.requiredFields ?? []
        let ids = needs.contains(.outProductIDs) ? check.productIDs("product_ids") : nil
        let count = needs.contains(.productCnt) ? check.count("product_count") : nil
        let price = needs.contains(.productPrice) ? check.fen("threshold_yuan") : nil
        let discount = needs.contains(.discountNum) ? check.discount("discount_zhe") : nil
        let fee = needs.contains(.discountFee) ? check.fen("reduction_yuan") : nil
        if type?.isFullReduction == true, let fee, let price, fee >= price { check.problem("reduction_yuan", "error.fee_not_below_threshold") }
        var tradein: Coupon.TradeinInfo?
        if needs.contains(.tradeinInfo), let id = check.identifier("tradein_product_id"), let price = check.fen("tradein_price_yuan") {
            tradein = Coupon.TradeinInfo(outProductID: id, price: price)
        }
        var buyget: Coupon.BuygetInfo?
        if needs.contains(.buygetInfo) {
            let buy = check.identifier("buy_product_id"), buyCount = check.count("buy_count")
            let get = check.identifier("get_product_id"), getCount = check.count("get_count")
            if let buy, let buyCount, let get, let getCount {
                buyget = Coupon.BuygetInfo(buyOutProductID: buy, buyProductCnt: buyCount, getOutProductID: get, getProductCnt: getCount)
            }
        }

        let (claimStart, claimEnd) = check.window("claim_start", "claim_end")
        let perPerson = check.count("per_person"), total = check.count("total")

        let validType = check.choice("valid_type", ValidType.init(rawValue:))
        var valid: Coupon.ValidInfo?
        switch validType {
        case .timeRange?:
            let (start, end) = check.window("valid_start", "valid_end")
            if let start, let end { valid = Coupon.ValidInfo(validType: .timeRange, startTime: start, endTime: end) }
        case .days?:
            valid = check.count("valid_days").map { Coupon.ValidInfo(validType: .days, validDayNum: $0) }
        case .seconds?:
            valid = check.seconds("valid_hours").map { Coupon.ValidInfo(validType: .seconds, validSecond: $0) }
        case nil: break
        }

        guard check.errors.problems.isEmpty, let type, let id, let name, let nickname, let claimStart, let claimEnd, let perPerson,
              let total, let valid
        else { return .failure(check.errors) }
        let coupon = Coupon(
            outCouponID: id, type: type, promoteType: .finder,
            couponInfo: Coupon.Info(
                name: name, promoteInfo: Coupon.PromoteInfo(promoteType: .finder, finderNickname: nickname),
                discountInfo: Coupon.DiscountInfo(
                    discountCondition: needs.contains(where: \.inCondition)
                        ? Coupon.DiscountCondition(productCnt: count, productPrice: price, outProductIDs: ids, tradeinInfo: tradein, buygetInfo: buyget)
                        : nil,
                    discountNum: discount, discountFee: fee),
                receiveInfo: Coupon.ReceiveInfo(startTime: claimStart, endTime: claimEnd, limitNumOnePerson: perPerson, totalNum: total),
                validInfo: valid))
        // The API's rules have the last word, so the form can never store what the API would refuse.
        do {
            _ = try Coupon.decode(try JSONParser.parse(coupon.canonicalJSON))
        } catch let refused as FieldErrors {
            return .failure(FormErrors(problems: ["": Problem(key: "error.rule", arguments: [refused.errors.map(\.description).joined(separator: "; ")])]))
        } catch {
            return .failure(FormErrors(problems: ["": Problem(key: "error.rule", arguments: ["\(error)"])]))
        }
        return .success(coupon)
    }

    /// Product ids as typed: one per line, or separated by commas (ASCII or full-width) or spaces.
    static func productIDs(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == "，" || $0 == "、" || $0.isWhitespace }).map(String.init)
    }
}

extension Catalog {
    /// A form's problem in this language.
    func text(_ problem: CouponForm.Problem) -> String { text(problem.key, arguments: problem.arguments) }
}

/// What is wrong with a form, by field name; `""` holds what concerns no one field.
struct FormErrors: Error, Equatable {
    var problems: [String: CouponForm.Problem] = [:]
}
