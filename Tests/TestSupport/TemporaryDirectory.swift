import Foundation

/// A fresh folder under /tmp (short, so unix socket paths inside it stay under their length limit);
/// `remove()` when done.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(_ prefix: String) throws {
        url = URL(fileURLWithPath: "/tmp").appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the folder.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}
