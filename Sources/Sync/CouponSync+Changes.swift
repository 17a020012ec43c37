import Coupons
import Storage
import WeChat

/// Sending a coupon's queue of changes (`AppDatabase.CouponChange`), oldest first, under the claim
/// the attempt holds.
extension CouponSync {
    /// Sends queued changes until none is left, or one fails (WeChat unreachable or busy: the coupon
    /// waits for a retry) or is refused (the coupon is rejected, the rest of its queue waits). A
    /// refused user-coupon change rejects only that user coupon, and the queue goes on.
    ///
    /// `uncertain`: an earlier attempt may have been carried out without an answer.
    func sendQueue(of stored: CouponRecord, uncertain: Bool) async throws -> Result {
        var record = stored
        var refusal: WeChatError?
        while let change = try database.nextChange(outCouponID: record.outCouponID) {
            let started = now()
            let result: AppDatabase.ChangeResult
            var failure: WeChatCallError?
            do throws(WeChatCallError) {
                result = .sent(sentBody: try await send(change, of: record, askFirst: uncertain || change.attempts > 0))
            } catch {
                failure = error
                if case .refused(let refused) = error, refused.kind == .refused {
                    result = .rejected(reason: "\(refused.code) \(refused.message)")
                    if change.userCoupon == nil { refusal = refused }
                } else {
                    result = .pending(reason: error.description, retryAt: retryTime(afterAttempts: change.attempts + 1, error))
                }
            }
            let attempt = AppDatabase.SyncAttempt(
                at: started, endpoint: Self.endpoint(of: change.kind).path, errcode: failure == nil ? 0 : failure?.errcode,
                failure: failure?.description, durationMilliseconds: (now() - started) * 1000
            )
            let (updated, moreToSend) = try await database.recordChange(
                change, outCouponID: record.outCouponID, attempt: attempt, result: result, holder: holder, claimUntil: now() + lease, now: Int(now())
            )
            record = updated
            guard moreToSend else { break }
        }
        switch SyncState(rawValue: record.syncState) {
        case .synced?: return .synced(record)
        case .rejected?:
            if let refusal { return .rejected(record, refusal) }
            return .pending(record, reason: record.syncError ?? "rejected before")
        default: return .pending(record, reason: record.syncError ?? "more to send")
        }
    }

    /// Makes the call a change stands for. Answers the body an `update` sent.
    private func send(_ change: AppDatabase.CouponChange, of coupon: CouponRecord, askFirst: Bool) async throws(WeChatCallError) -> String? {
        let id = coupon.outCouponID
        switch change.kind {
        case .update:
            try await client.updateCoupon(canonicalJSON: Array(coupon.body.utf8))
            return coupon.body
        case .updateStatus:
            guard let status = change.status.flatMap(CouponStatus.init(rawValue:)) else { throw .unreachable("a status change without a status") }
            // A status change that went through unanswered would be refused if sent again.
            if askFirst, try await stateIfWeChatHas(id)?.status == status.rawValue { return nil }
            try await client.updateCouponStatus(outCouponID: id, status: status)
        case .updateCouponStock:
            try await client.updateCouponStock(outCouponID: id, issuedNum: change.issuedNum ?? 0, receiveNum: change.receiveNum ?? 0)
        case .addUserCoupon, .updateUserCoupon, .updateUserCouponStatus:
            guard let user = change.userCoupon else { throw .unreachable("a user-coupon change without its user coupon") }
            let status = change.status.flatMap(UserCouponStatus.init(rawValue:)) ?? .active
            switch change.kind {
            case .addUserCoupon:
                try await client.addUserCoupon(
                    openID: user.openID, outUserCouponID: user.outUserCouponID, outCouponID: id, status: status, receiveTime: user.receiveTime
                )
            case .updateUserCoupon:
                try await client.updateUserCoupon(
                    openID: user.openID, outUserCouponID: user.outUserCouponID, outCouponID: id, useTime: change.useTime ?? 0,
                    receiveTime: user.receiveTime
                )
            default:
                try await client.updateUserCouponStatus(openID: user.openID, outCouponID: id, outUserCouponID: user.outUserCouponID, status: status)
            }
        }
        return nil
    }

    static func endpoint(of kind: AppDatabase.CouponChange.Kind) -> CouponEndpoint {
        CouponEndpoint(rawValue: kind.rawValue) ?? .update
    }
}
