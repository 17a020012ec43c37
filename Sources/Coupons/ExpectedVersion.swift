/// The versions of a stored coupon a change was made against: the API's `If-Match`, the version the
/// edit form was loaded with. A coupon's version counts the changes people asked of it (edits, status,
/// stock); a change made against an older one is refused rather than silently undo someone else's.
public enum ExpectedVersion: Sendable, Equatable {
    /// No condition (no `If-Match`, or `If-Match: *`).
    case any
    /// One of these; none at all when `If-Match` named no version of ours.
    case oneOf([Int])

    public func allows(_ version: Int) -> Bool {
        switch self {
        case .any: true
        case .oneOf(let versions): versions.contains(version)
        }
    }
}
