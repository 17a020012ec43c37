import Coupons
import StrictJSON

/// The coupon endpoints: add, update (only in status 1), get, get_list, update_status (1 -> 2,
/// 2 -> 3 or 4), update_coupon_stock (only in status 2, else 1090005).
extension Sandbox {
    func add(_ request: JSONValue) -> Answer {
        let coupon: Coupon
        do {
            coupon = try Coupon.decode(requestBody: request)
        } catch {
            return answer(error: Self.errcode(for: error.errors), message: error.errors.first?.description)
        }
        if coupons[coupon.outCouponID] != nil {
            repeatedAdds += 1
            return answer(error: 0)
        }
        let now = Int(clock())
        coupons[coupon.outCouponID] = StoredCoupon(
            body: coupon.canonicalJSON, status: CouponStatus.notActive.rawValue, createTime: now, updateTime: now,
            issuedNum: coupon.couponInfo.receiveInfo.totalNum, receiveNum: 0
        )
        return answer(error: 0)
    }

    func update(_ request: JSONValue) -> Answer {
        let coupon: Coupon
        do {
            coupon = try Coupon.decode(requestBody: request)
        } catch {
            return answer(error: Self.errcode(for: error.errors), message: error.errors.first?.description)
        }
        guard var stored = coupons[coupon.outCouponID] else { return answer(error: Self.notFound, message: "no coupon \(coupon.outCouponID)") }
        guard stored.status == CouponStatus.notActive.rawValue else {
            return answer(error: Self.notEditable, message: "only a coupon in status 1 can be updated")
        }
        stored.body = coupon.canonicalJSON
        stored.updateTime = Int(clock())
        coupons[coupon.outCouponID] = stored
        return answer(error: 0)
    }

    func get(_ request: JSONValue) -> Answer {
        guard case .string(let id)? = request.member("out_coupon_id") else { return answer(error: 990_007, message: "out_coupon_id is missing") }
        guard let stored = coupons[id] else { return answer(error: Self.notFound, message: "no coupon \(id)") }
        return ok { $0.member("result") { result in result.object { $0.member("coupon") { self.write(stored, to: &$0) } } } }
    }

    func getList(_ request: JSONValue) -> Answer {
        guard let size = request.member("page_size")?.integer, (1...200).contains(size),
              let offset = request.member("offset")?.integer, offset >= 0
        else { return answer(error: 990_007, message: "page_size 1 to 200 and offset from 0 are required") }
        let page = coupons.sorted { $0.value.createTime != $1.value.createTime ? $0.value.createTime < $1.value.createTime : $0.key < $1.key }
            .dropFirst(offset).prefix(size)
        return ok {
            $0.member("total_num") { $0.integer(self.coupons.count) }
            $0.member("result_list") { list in
                list.array {
                    for (id, stored) in page {
                        $0.object {
                            $0.member("coupon") { self.write(stored, to: &$0) }
                            $0.member("coupon_stock") { stock in
                                stock.object {
                                    $0.member("out_coupon_id") { $0.string(id) }
                                    $0.member("stock_info") { info in
                                        info.object {
                                            $0.member("issued_num") { $0.integer(stored.issuedNum) }
                                            $0.member("receive_num") { $0.integer(stored.receiveNum) }
                                        }
                                    }
                                    $0.member("create_time") { $0.integer(stored.createTime) }
                                    $0.member("update_time") { $0.integer(stored.updateTime) }
                                    $0.member("appid") { $0.string(self.settings.appID) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func updateStatus(_ request: JSONValue) -> Answer {
        guard case .string(let id)? = request.member("out_coupon_id"), let status = request.member("status")?.integer else {
            return answer(error: 990_007, message: "out_coupon_id and status are required")
        }
        guard var stored = coupons[id] else { return answer(error: Self.notFound, message: "no coupon \(id)") }
        let allowed: Set<Int> = switch stored.status {
        case CouponStatus.notActive.rawValue: [CouponStatus.active.rawValue]
        case CouponStatus.active.rawValue: [CouponStatus.expired.rawValue, CouponStatus.voided.rawValue]
        default: []
        }
        guard allowed.contains(status) else {
            return answer(error: Self.statusChangeRefused, message: "status \(stored.status) cannot become \(status)")
        }
        stored.status = status
        stored.updateTime = Int(clock())
        coupons[id] = stored
        return answer(error: 0)
    }

    func updateStock(_ request: JSONValue) -> Answer {
        let stock = request.member("coupon_stock")
        guard case .string(let id)? = stock?.member("out_coupon_id"), let info = stock?.member("stock_info"),
              let issued = info.member("issued_num")?.integer, let received = info.member("receive_num")?.integer
        else { return answer(error: 990_007, message: "coupon_stock.out_coupon_id and stock_info are required") }
        guard var stored = coupons[id] else { return answer(error: Self.notFound, message: "no coupon \(id)") }
        guard stored.status == CouponStatus.active.rawValue else { return answer(error: 1_090_005, message: "activate the coupon first") }
        stored.issuedNum = issued
        stored.receiveNum = received
        stored.updateTime = Int(clock())
        coupons[id] = stored
        return answer(error: 0)
    }

    /// The coupon object as `get` shows it: the stored fields, then status, times and appid.
    func write(_ stored: StoredCoupon, to writer: inout JSONWriter) {
        writer.object(extending: String(decoding: stored.body, as: UTF8.self)) {
            $0.member("status") { $0.integer(stored.status) }
            $0.member("create_time") { $0.integer(stored.createTime) }
            $0.member("update_time") { $0.integer(stored.updateTime) }
            $0.member("appid") { $0.string(settings.appID) }
        }
    }

    /// `{"errcode":0,"errmsg":"ok", ...members}`.
    func ok(_ members: (inout JSONWriter) -> Void) -> Answer {
        var writer = JSONWriter()
        writer.object {
            $0.member("errcode") { $0.integer(0) }
            $0.member("errmsg") { $0.string("ok") }
            members(&$0)
        }
        return Answer(json: writer.bytes, latencyMilliseconds: faults.latencyMilliseconds)
    }

    /// WeChat's validation codes for what the coupon decoder found: 1090049 without discount_info,
    /// 1090011 for a product coupon without products, 990009 for a start after its end, 990008 for
    /// a value too long, 990007 for anything else missing or wrong.
    static func errcode(for errors: [FieldError]) -> Int {
        if errors.contains(where: { $0.field.hasSuffix(".discount_info") && $0.message.hasPrefix("is required") }) { return 1_090_049 }
        if errors.contains(where: { $0.field.hasSuffix(".out_product_ids") && $0.message.hasPrefix("is required") }) { return 1_090_011 }
        if errors.contains(where: { $0.message.hasPrefix("must be after start_time") }) { return 990_009 }
        if errors.contains(where: { $0.message.hasPrefix("must be at most") && $0.message.hasSuffix("characters") }) { return 990_008 }
        return 990_007
    }
}
