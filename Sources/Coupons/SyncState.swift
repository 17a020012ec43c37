/// Where a stored coupon (or user coupon) stands in being sent to WeChat.
public enum SyncState: String, Sendable, CaseIterable, Encodable {
    /// Stored here; something is still to be sent.
    case pending
    /// WeChat has everything.
    case synced
    /// WeChat refused the coupon or one of its own changes; it waits for an edit or a retry. The reason
    /// is kept with the coupon.
    case rejected

    /// A coupon's state from where WeChat stands and its queue of changes: `rejected` while WeChat's
    /// refusal of the coupon (before it had it) or of one of its own changes stands, `pending` while
    /// anything is left to send, `synced` otherwise. A refused user-coupon change does not count: it
    /// rejects only its user coupon.
    public static func settled(
        from current: SyncState, weChatHasCoupon: Bool, refusedCouponChange: Bool, changeToSend: Bool
    ) -> SyncState {
        guard weChatHasCoupon else { return current == .rejected ? .rejected : .pending }
        if refusedCouponChange { return .rejected }
        return changeToSend ? .pending : .synced
    }
}

/// Where one queued change to a coupon stands.
public enum ChangeState: String, Sendable, CaseIterable, Encodable {
    /// Still to be sent (again, after a failed attempt).
    case pending
    /// WeChat took it.
    case sent
    /// WeChat refused it; it waits for a retry.
    case rejected
}

/// Where an import of WeChat's coupons stands.
public enum ImportState: String, Sendable, CaseIterable, Encodable {
    case running
    /// Every page was read.
    case done
    /// WeChat could not be asked to the end, or the import's process died.
    case failed
}
