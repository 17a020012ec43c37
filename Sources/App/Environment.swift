import Foundation

/// The process environment, read once where configuration is loaded.
public func currentEnvironment() -> [String: String] {
    ProcessInfo.processInfo.environment
}
