import Coupons
import StrictJSON
import Synchronization
import Sync
import WeChat

/// WeChat's coupon calls answered in memory, as WeChat would: it keeps the coupons it was given, and a
/// test can make the next calls fail, or be carried out with their answer lost.
final class InMemoryWeChat: WeChatCouponCalls {
    enum Fault {
        /// None: the call is carried out and answered.
        case answer
        /// The call is not carried out; it fails with this error.
        case fail(WeChatCallError)
        /// The call is carried out, but no answer comes back.
        case loseAnswer
    }

    private struct State {
        var coupons: [String: (body: [UInt8], status: Int)] = [:]
        var calls: [String] = []
        var faults: [Fault] = []
        var pause: CallPause?
    }

    private let state = Mutex(State())

    var calls: [String] { state.withLock { $0.calls } }
    var pause: CallPause? { state.withLock { $0.pause } }

    /// The next calls meet these faults, one each, in order.
    func failNext(_ faults: Fault...) { state.withLock { $0.faults += faults } }
    func pauseCalls(_ pause: CallPause?) { state.withLock { $0.pause = pause } }
    func status(of id: String) -> Int? { state.withLock { $0.coupons[id]?.status } }
    func body(of id: String) -> [UInt8]? { state.withLock { $0.coupons[id]?.body } }

    static let noSuchCoupon = WeChatError(code: 9_401_021, message: "coupon not exist")

    /// Counts the call, meets the next fault, and carries out `work` unless the fault stops it.
    private func call<T>(_ name: String, _ work: (inout State) throws(WeChatCallError) -> T) throws(WeChatCallError) -> T {
        let (fault, result) = state.withLock { state -> (Fault?, Result<T, WeChatCallError>) in
            state.calls.append(name)
            let fault = state.faults.isEmpty ? nil : state.faults.removeFirst()
            if case .fail(let error) = fault { return (fault, .failure(error)) }
            do throws(WeChatCallError) { return (fault, .success(try work(&state))) } catch { return (fault, .failure(error)) }
        }
        if case .loseAnswer = fault { throw .unreachable("connection reset") }
        return try result.get()
    }

    func addCoupon(canonicalJSON: [UInt8]) async throws(WeChatCallError) {
        try call("add") { (state: inout State) throws(WeChatCallError) in
            let id = try Self.outCouponID(canonicalJSON)
            guard state.coupons[id] == nil else { throw .refused(WeChatError(code: 9_401_022, message: "coupon already exists")) }
            state.coupons[id] = (canonicalJSON, CouponStatus.notActive.rawValue)
        }
    }

    func couponState(outCouponID: String) async throws(WeChatCallError) -> WeChatClient.CouponState {
        try call("get") { (state: inout State) throws(WeChatCallError) in
            guard let coupon = state.coupons[outCouponID] else { throw .refused(Self.noSuchCoupon) }
            return WeChatClient.CouponState(status: coupon.status, createTime: 100, updateTime: 100)
        }
    }

    func updateCoupon(canonicalJSON: [UInt8]) async throws(WeChatCallError) {
        try call("update") { (state: inout State) throws(WeChatCallError) in
            let id = try Self.outCouponID(canonicalJSON)
            guard state.coupons[id] != nil else { throw .refused(Self.noSuchCoupon) }
            state.coupons[id]?.body = canonicalJSON
        }
    }

    func updateCouponStatus(outCouponID: String, status: CouponStatus) async throws(WeChatCallError) {
        try call("update_status") { (state: inout State) throws(WeChatCallError) in
            guard let current = state.coupons[outCouponID].flatMap({ CouponStatus(rawValue: $0.status) }) else { throw .refused(Self.noSuchCoupon) }
            guard current.canBecome(status) else { throw .refused(WeChatError(code: 9_401_030, message: "status not allowed")) }
            state.coupons[outCouponID]?.status = status.rawValue
        }
    }

    func updateCouponStock(outCouponID: String, issuedNum: Int, receiveNum: Int) async throws(WeChatCallError) {
        try call("update_coupon_stock") { (state: inout State) throws(WeChatCallError) in
            guard state.coupons[outCouponID] != nil else { throw .refused(Self.noSuchCoupon) }
        }
    }

    func addUserCoupon(openID: String, outUserCouponID: String, outCouponID: String, status: UserCouponStatus, receiveTime: Int) async throws(WeChatCallError) {
        try call("add_user_coupon") { _ in }
    }

    func updateUserCoupon(openID: String, outUserCouponID: String, outCouponID: String, useTime: Int, receiveTime: Int) async throws(WeChatCallError) {
        try call("update_user_coupon") { _ in }
    }

    func updateUserCouponStatus(openID: String, outCouponID: String, outUserCouponID: String, status: UserCouponStatus) async throws(WeChatCallError) {
        try call("update_usercoupon_status") { _ in }
    }

    func couponList(pageSize: Int, offset: Int) async throws(WeChatCallError) -> (totalNum: Int, entries: [WeChatClient.CouponListEntry]) {
        throw .unreachable("get_list is not answered in memory")
    }

    func userCouponList(openID: String, pageSize: Int, offset: Int) async throws(WeChatCallError) -> (totalNum: Int, entries: [WeChatClient.UserCouponEntry]) {
        throw .unreachable("get_usercoupon_list is not answered in memory")
    }

    private static func outCouponID(_ json: [UInt8]) throws(WeChatCallError) -> String {
        guard let coupon = try? Coupon.decode(JSONParser.parse(json)) else { throw .refused(WeChatError(code: 47001, message: "data format error")) }
        return coupon.outCouponID
    }
}
