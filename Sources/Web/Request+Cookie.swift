import FastCGI

extension Request {
    /// The value of the first cookie called `name` in the `Cookie` header.
    func cookie(named name: String) -> Substring? {
        guard let header = headers["cookie"] else { return nil }
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop { $0 == " " }
            if trimmed.hasPrefix(name + "=") { return trimmed.dropFirst(name.count + 1) }
        }
        return nil
    }
}
