import Coupons
import StrictJSON

/// Typed calls for the eleven coupon endpoints.
extension WeChatClient {
    /// `confirm`: once, before any other coupon call, so that WeChat calls the merchant's event URL.
    public func confirm() async throws(WeChatCallError) {
        _ = try await call(.confirm, body: Array("{}".utf8))
    }

    /// `add`: WeChat's coupon object as it is.
    public func addCoupon(_ coupon: Coupon) async throws(WeChatCallError) {
        try await addCoupon(canonicalJSON: coupon.canonicalJSON)
    }

    /// `add`, for a coupon already written as `Coupon.canonicalJSON` (as it is stored).
    public func addCoupon(canonicalJSON: [UInt8]) async throws(WeChatCallError) {
        _ = try await call(.add, body: Self.couponBody(canonicalJSON))
    }

    /// `update`: only while the coupon's status is 1.
    public func updateCoupon(_ coupon: Coupon) async throws(WeChatCallError) {
        try await updateCoupon(canonicalJSON: coupon.canonicalJSON)
    }

    /// `update`, for a coupon written as `Coupon.canonicalJSON`.
    public func updateCoupon(canonicalJSON: [UInt8]) async throws(WeChatCallError) {
        _ = try await call(.update, body: Self.couponBody(canonicalJSON))
    }

    /// What `get` and `get_list` say of a coupon WeChat has: its status and times, and the coupon itself.
    public struct CouponState: Sendable, Equatable {
        public var status: Int
        public var createTime: Int?
        public var updateTime: Int?
        /// The coupon object as WeChat answered it.
        public var wechatCopy: JSONValue?

        public init(status: Int, createTime: Int? = nil, updateTime: Int? = nil, wechatCopy: JSONValue? = nil) {
            self.status = status
            self.createTime = createTime
            self.updateTime = updateTime
            self.wechatCopy = wechatCopy
        }

        /// WeChat's copy read with the rules of a create (`Coupon.decode(wechatCopy:)`); nil when it breaks them.
        public var coupon: Coupon? { wechatCopy.flatMap { try? Coupon.decode(wechatCopy: $0) } }
    }

    public func couponState(outCouponID: String) async throws(WeChatCallError) -> CouponState {
        let answer = try await call(.get, body: Self.object { $0.member("out_coupon_id") { $0.string(outCouponID) } })
        guard let coupon = answer.member("result")?.member("coupon"), let state = Self.state(of: coupon) else {
            throw .unreachable("get answered without result.coupon.status")
        }
        return state
    }

    /// One page of `get_list`: every coupon's id, state and stock.
    public struct CouponListEntry: Sendable, Equatable {
        public var outCouponID: String
        public var state: CouponState
        public var issuedNum: Int?
        public var receiveNum: Int?
    }

    public func couponList(pageSize: Int, offset: Int) async throws(WeChatCallError) -> (totalNum: Int, entries: [CouponListEntry]) {
        let answer = try await call(.getList, body: Self.object {
            $0.member("page_size") { $0.integer(pageSize) }
            $0.member("offset") { $0.integer(offset) }
        })
        guard let total = answer.member("total_num")?.integer, case .array(let list)? = answer.member("result_list") else {
            throw .unreachable("get_list answered without total_num and result_list")
        }
        var entries: [CouponListEntry] = []
        for item in list {
            guard let coupon = item.member("coupon"), case .string(let id)? = coupon.member("out_coupon_id"), let state = Self.state(of: coupon) else {
                throw .unreachable("get_list answered a coupon without out_coupon_id and status")
            }
            let stock = item.member("coupon_stock")?.member("stock_info")
            entries.append(CouponListEntry(outCouponID: id, state: state, issuedNum: stock?.member("issued_num")?.integer, receiveNum: stock?.member("receive_num")?.integer))
        }
        return (total, entries)
    }

    /// `update_status`: 1 -> 2, then 2 -> 3 or 4.
    public func updateCouponStatus(outCouponID: String, status: CouponStatus) async throws(WeChatCallError) {
        _ = try await call(.updateStatus, body: Self.object {
            $0.member("out_coupon_id") { $0.string(outCouponID) }
            $0.member("status") { $0.integer(status.rawValue) }
        })
    }

    /// `update_coupon_stock`: only for an active coupon (1090005 otherwise).
    public func updateCouponStock(outCouponID: String, issuedNum: Int, receiveNum: Int) async throws(WeChatCallError) {
        _ = try await call(.updateCouponStock, body: Self.object {
            $0.member("coupon_stock") { stock in
                stock.object {
                    $0.member("out_coupon_id") { $0.string(outCouponID) }
                    $0.member("stock_info") { info in
                        info.object {
                            $0.member("issued_num") { $0.integer(issuedNum) }
                            $0.member("receive_num") { $0.integer(receiveNum) }
                        }
                    }
                }
            }
        })
    }

    public func addUserCoupon(openID: String, outUserCouponID: String, outCouponID: String, status: UserCouponStatus, receiveTime: Int) async throws(WeChatCallError) {
        _ = try await call(.addUserCoupon, body: Self.object {
            $0.member("openid") { $0.string(openID) }
            $0.member("user_coupon") { user in
                user.object {
                    $0.member("out_user_coupon_id") { $0.string(outUserCouponID) }
                    $0.member("out_coupon_id") { $0.string(outCouponID) }
                    $0.member("status") { $0.integer(status.rawValue) }
                }
            }
            $0.member("recv_time") { $0.integer(receiveTime) }
        })
    }

    /// `update_user_coupon`: when the user used it.
    public func updateUserCoupon(openID: String, outUserCouponID: String, outCouponID: String, useTime: Int, receiveTime: Int) async throws(WeChatCallError) {
        _ = try await call(.updateUserCoupon, body: Self.object {
            $0.member("openid") { $0.string(openID) }
            $0.member("user_coupon") { user in
                user.object {
                    $0.member("out_user_coupon_id") { $0.string(outUserCouponID) }
                    $0.member("out_coupon_id") { $0.string(outCouponID) }
                    $0.member("ext_info") { info in info.object { $0.member("use_time") { $0.integer(useTime) } } }
                }
            }
            $0.member("recv_time") { $0.integer(receiveTime) }
        })
    }

    public func updateUserCouponStatus(openID: String, outCouponID: String, outUserCouponID: String, status: UserCouponStatus) async throws(WeChatCallError) {
        _ = try await call(.updateUserCouponStatus, body: Self.object {
            $0.member("openid") { $0.string(openID) }
            $0.member("out_coupon_id") { $0.string(outCouponID) }
            $0.member("out_user_coupon_id") { $0.string(outUserCouponID) }
            $0.member("status") { $0.integer(status.rawValue) }
        })
    }

    /// One entry of `get_usercoupon_list`.
    public struct UserCouponEntry: Sendable, Equatable {
        public var outUserCouponID: String
        public var outCouponID: String
        public var status: Int
        public var useTime: Int?
    }

    public func userCouponList(openID: String, pageSize: Int, offset: Int) async throws(WeChatCallError) -> (totalNum: Int, entries: [UserCouponEntry]) {
        let answer = try await call(.getUserCouponList, body: Self.object {
            $0.member("openid") { $0.string(openID) }
            $0.member("page_size") { $0.integer(pageSize) }
            $0.member("offset") { $0.integer(offset) }
        })
        guard let total = answer.member("total_num")?.integer, case .array(let list)? = answer.member("result_list") else {
            throw .unreachable("get_usercoupon_list answered without total_num and result_list")
        }
        var entries: [UserCouponEntry] = []
        for item in list {
            guard case .string(let id)? = item.member("out_user_coupon_id"), case .string(let couponID)? = item.member("out_coupon_id"),
                  let status = item.member("status")?.integer
            else { throw .unreachable("get_usercoupon_list answered an entry without its ids and status") }
            entries.append(UserCouponEntry(outUserCouponID: id, outCouponID: couponID, status: status, useTime: item.member("ext_info")?.member("use_time")?.integer))
        }
        return (total, entries)
    }

    private static func couponBody(_ canonicalJSON: [UInt8]) -> [UInt8] {
        var body: [UInt8] = Array(#"{"coupon":"#.utf8)
        body += canonicalJSON
        body.append(UInt8(ascii: "}"))
        return body
    }

    private static func object(_ members: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter()
        writer.object(members)
        return writer.bytes
    }

    private static func state(of coupon: JSONValue) -> CouponState? {
        guard let status = coupon.member("status")?.integer else { return nil }
        return CouponState(
            status: status, createTime: coupon.member("create_time")?.integer, updateTime: coupon.member("update_time")?.integer, wechatCopy: coupon
        )
    }
}
