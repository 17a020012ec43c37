import Coupons
import GRDB

/// A domain state stored in a text column as its raw value. This file is the one place the states
/// meet their columns: SQL spells one only as `\(state.sql)`.
protocol StoredState: RawRepresentable<String>, DatabaseValueConvertible {}

extension StoredState {
    /// The state as an SQL string literal, for the statements that compare a column with it.
    var sql: String { "'\(rawValue)'" }
}

extension SyncState: StoredState {}
extension ChangeState: StoredState {}
extension ImportState: StoredState {}
extension CouponChange.Kind: StoredState {}
