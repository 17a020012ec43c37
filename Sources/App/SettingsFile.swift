import Foundation

/// The settings file that the service and every command read: `/etc/coupon-admin/coupon-admin.env`
/// when it exists, or the file `--config` or `COUPON_ADMIN_CONFIG` names. It is the systemd unit's
/// `EnvironmentFile=`, and is read the way systemd reads one: `NAME=VALUE` lines, blank lines and
/// lines starting with `#` or `;` ignored, a value in single or double quotes taken without them
/// (in double quotes `\"`, `\\` and `\$` stand for the character).
public enum SettingsFile {
    public static let defaultPath = "/etc/coupon-admin/coupon-admin.env"
    /// The variable naming another file; a setting of its own, never inside the file.
    public static let pathVariable = Configuration.environmentPrefix + "CONFIG"

    /// The settings a command runs with: the file's values, under those of `environment`.
    /// - Parameters:
    ///   - flag: the file `--config` names, which wins over `COUPON_ADMIN_CONFIG`.
    ///   - defaultPath: read only when it exists; the others must.
    public static func environment(
        _ environment: [String: String], flag: String? = nil, defaultPath: String = defaultPath
    ) throws(ConfigurationError) -> [String: String] {
        let named = flag ?? environment[pathVariable]
        let path = named ?? defaultPath
        if named == nil && !FileManager.default.fileExists(atPath: path) { return environment }
        return try parse(try contents(of: path), path: path).merging(environment) { _, fromEnvironment in fromEnvironment }
    }

    /// The file's text, read to its end (`/dev/null`, which names no file, too).
    private static func contents(of path: String) throws(ConfigurationError) -> String {
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else {
            throw ConfigurationError(description: "cannot read the settings file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(file, &chunk, chunk.count)
            guard count >= 0 else {
                throw ConfigurationError(description: "cannot read the settings file \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The file's `NAME=VALUE` pairs; a line that is neither a setting nor a comment is an error naming it.
    static func parse(_ text: String, path: String) throws(ConfigurationError) -> [String: String] {
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            guard let equals = line.firstIndex(of: "="),
                  case let name = line[..<equals].trimmingCharacters(in: .whitespaces),
                  !name.isEmpty, name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }),
                  let value = unquoted(line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces))
            else {
                throw ConfigurationError(description: "\(path), line \(index + 1): not NAME=VALUE: \(rawLine)")
            }
            guard name != pathVariable else {
                throw ConfigurationError(description: "\(path), line \(index + 1): \(pathVariable) names this file; it cannot be set inside it")
            }
            values[name] = value
        }
        return values
    }

    /// `"a b"` -> `a b`, `'a'` -> `a`, `plain` -> `plain`; nil for an opening quote never closed.
    private static func unquoted(_ value: String) -> String? {
        guard let quote = value.first, quote == "\"" || quote == "'" else { return value }
        guard value.count >= 2, value.last == quote else { return nil }
        let inner = value.dropFirst().dropLast()
        guard quote == "\"" else { return String(inner) }
        var result = "", escaped = false
        for character in inner {
            if escaped || character != "\\" {
                result.append(character)
                escaped = false
            } else {
                escaped = true
            }
        }
        return escaped ? nil : result
    }
}
