import Coupons
import FastCGI

/// A coupon's values in a language's words and the shop's units: "满100元减20元", "9.8折",
/// "2026-11-23 10:00 至 2026-12-23 10:00".
struct CouponWords {
    let language: Language
    let clock: ShopClock

    private var catalog: Catalog { language.catalog }

    func type(_ type: CouponType) -> String { catalog["type.\(type.rawValue)"] }

    func type(rawValue: Int) -> String { CouponType(rawValue: rawValue).map(type) ?? String(rawValue) }

    func status(_ rawValue: Int?) -> String {
        guard let rawValue, let status = CouponStatus(rawValue: rawValue) else { return catalog["status.none"] }
        return catalog["status.\(status.rawValue)"]
    }

    func sync(_ state: some RawRepresentable<String>) -> String { catalog["sync.\(state.rawValue)"] }

    func time(_ unixTime: Int) -> String { clock.localText(unixTime) }

    /// What the coupon takes off, as the staff would say it.
    func offer(_ coupon: Coupon) -> String {
        let discount = coupon.couponInfo.discountInfo
        let condition = discount.discountCondition
        switch coupon.type {
        case .productConditionalDiscount, .shopConditionalDiscount:
            return catalog.text("offer.conditional_discount", String(condition?.productCnt ?? 0), discountNumber(discount.discountNum ?? 0))
        case .productFullReduction, .shopFullReduction:
            return catalog.text("offer.full_reduction", Units.yuan(fen: condition?.productPrice ?? 0), Units.yuan(fen: discount.discountFee ?? 0))
        case .productFlatDiscount, .shopFlatDiscount:
            return catalog.text("offer.flat_discount", discountNumber(discount.discountNum ?? 0))
        case .productDirectReduction, .shopDirectReduction:
            return catalog.text("offer.direct_reduction", Units.yuan(fen: discount.discountFee ?? 0))
        case .productExchange:
            let tradein = condition?.tradeinInfo
            return catalog.text("offer.exchange", tradein?.outProductID ?? "", Units.yuan(fen: tradein?.price ?? 0))
        case .productBuyGet:
            guard let buyget = condition?.buygetInfo else { return "" }
            return catalog.text("offer.buy_get", buyget.buyOutProductID, String(buyget.buyProductCnt), buyget.getOutProductID, String(buyget.getProductCnt))
        }
    }

    /// 9800 -> "9.8" in Chinese (折), "2" in English (percent off).
    private func discountNumber(_ discountNum: Int) -> String {
        language == .chinese ? Units.zhe(discountNum: discountNum) : Units.percentOff(discountNum: discountNum)
    }

    func claimWindow(_ coupon: Coupon) -> String {
        let receive = coupon.couponInfo.receiveInfo
        return catalog.text("window", time(receive.startTime), time(receive.endTime))
    }

    /// How long a claimed coupon can be used.
    func use(_ valid: Coupon.ValidInfo) -> String {
        switch valid.validType {
        case .timeRange: catalog.text("use.range", time(valid.startTime ?? 0), time(valid.endTime ?? 0))
        case .days: catalog.text("use.days", String(valid.validDayNum ?? 0))
        case .seconds:
            Units.hours(seconds: valid.validSecond ?? 0).map { catalog.text("use.hours", $0) }
                ?? catalog.text("use.seconds", String(valid.validSecond ?? 0))
        }
    }

    /// What an errcode means for the coupon, in the staff's words.
    func errcode(_ code: Int) -> String {
        let key = "errcode.\(code)"
        return catalog.texts[key] ?? catalog["errcode.other"]
    }

    /// A list of names joined as the language joins them: "a、b" or "a, b".
    func list(_ items: [String]) -> String { items.joined(separator: language == .chinese ? "、" : ", ") }
}
