import FastCGI
import StrictJSON

/// The `name=value` pairs of a query string, with `+` and `%XX` decoded as HTML forms encode them.
/// A name may appear once, or any number of times if it is `repeatable` (a form's checkboxes); names
/// not in `allowed` are refused, so a misspelt filter is an error rather than silently ignored.
struct QueryParameters {
    private var values: [String: String] = [:]
    private var lists: [String: [String]] = [:]

    init(_ query: String, allowed: Set<String>, repeatable: Set<String> = []) throws(HTTPError) {
        var errors: [Problem.FieldError] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else {
                errors.append(.init(field: String(parts[0]), message: "is not validly percent-encoded UTF-8"))
                continue
            }
            if repeatable.contains(name) {
                lists[name, default: []].append(value)
            } else if !allowed.contains(name) {
                errors.append(.init(field: name, message: "is not a parameter here; use \(allowed.union(repeatable).sorted().joined(separator: ", "))"))
            } else if values.updateValue(value, forKey: name) != nil {
                errors.append(.init(field: name, message: "appears more than once"))
            }
        }
        if !errors.isEmpty { throw HTTPError(status: 400, detail: "The query string is not valid.", fieldErrors: errors) }
    }

    subscript(name: String) -> String? { values[name] }

    /// Every value of a repeatable name, in order.
    func all(_ name: String) -> [String] { lists[name] ?? [] }

    static func decode(_ text: Substring) -> String? {
        percentDecoded(Substring(String(text.map { $0 == "+" ? " " : $0 })))
    }
}
