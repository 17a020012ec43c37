import StrictJSON

/// The user-coupon endpoints: a coupon given to a user (openid), its use time, its status
/// (100 active, 101 expired, 102 used), and a user's list.
extension Sandbox {
    static let userCouponStatuses: Set<Int> = [100, 101, 102]

    private static func key(openID: String, outUserCouponID: String) -> String { openID + "\u{0}" + outUserCouponID }

    func addUserCoupon(_ request: JSONValue) -> Answer {
        let userCoupon = request.member("user_coupon")
        guard case .string(let openID)? = request.member("openid"), !openID.isEmpty,
              case .string(let id)? = userCoupon?.member("out_user_coupon_id"), !id.isEmpty,
              case .string(let couponID)? = userCoupon?.member("out_coupon_id"),
              let status = userCoupon?.member("status")?.integer, Self.userCouponStatuses.contains(status),
              let receiveTime = request.member("recv_time")?.integer
        else { return answer(error: 990_007, message: "openid, user_coupon{out_user_coupon_id, out_coupon_id, status} and recv_time are required") }
        guard coupons[couponID] != nil else { return answer(error: Self.notFound, message: "no coupon \(couponID)") }
        let now = Int(clock())
        userCoupons[Self.key(openID: openID, outUserCouponID: id)] = UserCoupon(
            openID: openID, outUserCouponID: id, outCouponID: couponID, status: status, createTime: now, updateTime: now,
            receiveTime: receiveTime, useTime: nil
        )
        return answer(error: 0)
    }

    func userCouponList(_ request: JSONValue) -> Answer {
        guard case .string(let openID)? = request.member("openid"),
              let size = request.member("page_size")?.integer, (1...200).contains(size),
              let offset = request.member("offset")?.integer, offset >= 0
        else { return answer(error: 990_007, message: "openid, page_size 1 to 200 and offset from 0 are required") }
        let mine = userCoupons.values.filter { $0.openID == openID }
            .sorted { $0.createTime != $1.createTime ? $0.createTime < $1.createTime : $0.outUserCouponID < $1.outUserCouponID }
        return ok {
            $0.member("total_num") { $0.integer(mine.count) }
            $0.member("result_list") { list in
                list.array {
                    for userCoupon in mine.dropFirst(offset).prefix(size) {
                        $0.object {
                            $0.member("out_user_coupon_id") { $0.string(userCoupon.outUserCouponID) }
                            $0.member("openid") { $0.string(userCoupon.openID) }
                            $0.member("out_coupon_id") { $0.string(userCoupon.outCouponID) }
                            $0.member("status") { $0.integer(userCoupon.status) }
                            $0.member("create_time") { $0.integer(userCoupon.createTime) }
                            $0.member("update_time") { $0.integer(userCoupon.updateTime) }
                            $0.member("start_time") { $0.integer(userCoupon.receiveTime) }
                            $0.member("end_time") { $0.integer(userCoupon.receiveTime + 86_400 * 7) }
                            $0.member("ext_info") { info in
                                info.object { if let use = userCoupon.useTime { $0.member("use_time") { $0.integer(use) } } }
                            }
                        }
                    }
                }
            }
        }
    }

    func updateUserCoupon(_ request: JSONValue) -> Answer {
        let userCoupon = request.member("user_coupon")
        guard case .string(let openID)? = request.member("openid"),
              case .string(let id)? = userCoupon?.member("out_user_coupon_id"),
              let useTime = userCoupon?.member("ext_info")?.member("use_time")?.integer
        else { return answer(error: 990_007, message: "openid, user_coupon.out_user_coupon_id and ext_info.use_time are required") }
        let key = Self.key(openID: openID, outUserCouponID: id)
        guard var stored = userCoupons[key] else { return answer(error: Self.notFound, message: "no user coupon \(id)") }
        stored.useTime = useTime
        stored.updateTime = Int(clock())
        userCoupons[key] = stored
        return answer(error: 0)
    }

    func updateUserCouponStatus(_ request: JSONValue) -> Answer {
        guard case .string(let openID)? = request.member("openid"),
              case .string(let id)? = request.member("out_user_coupon_id"),
              let status = request.member("status")?.integer, Self.userCouponStatuses.contains(status)
        else { return answer(error: 990_007, message: "openid, out_user_coupon_id and a status of 100, 101 or 102 are required") }
        let key = Self.key(openID: openID, outUserCouponID: id)
        guard var stored = userCoupons[key] else { return answer(error: Self.notFound, message: "no user coupon \(id)") }
        stored.status = status
        stored.updateTime = Int(clock())
        userCoupons[key] = stored
        return answer(error: 0)
    }
}
