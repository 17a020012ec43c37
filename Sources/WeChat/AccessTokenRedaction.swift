import Foundation

extension String {
    /// The text with the value of every `access_token` (in a query string, or as a JSON member)
    /// replaced by `REDACTED`, for logs and error messages: a token must never be written anywhere.
    public var redactingAccessTokens: String {
        var result = self
        for marker in ["access_token=", #""access_token":""#, #""access_token": ""#] {
            var searchStart = result.startIndex
            while let range = result.range(of: marker, range: searchStart..<result.endIndex) {
                let valueEnd = result[range.upperBound...].firstIndex { "&\"# \n".contains($0) } ?? result.endIndex
                result.replaceSubrange(range.upperBound..<valueEnd, with: "REDACTED")
                searchStart = result.index(range.upperBound, offsetBy: "REDACTED".count)
            }
        }
        return result
    }
}
