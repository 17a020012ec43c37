import Foundation

/// Times as the shop's staff read and type them: a local date and time in the shop's time zone,
/// turned into WeChat's unix seconds and back.
public struct ShopClock: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar

    /// Nil for a name the system's time zone database does not know ("Asia/Shanghai", "Europe/Berlin", "UTC").
    public init?(timeZoneIdentifier: String) {
        guard let timeZone = TimeZone(identifier: timeZoneIdentifier) else { return nil }
        self.init(timeZone: timeZone)
    }

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// "2026-11-23T10:00", as a `datetime-local` input sends it, or typed "2026-11-23 10:00" (seconds
    /// optional), or as a spreadsheet saved again writes it, "2026/11/3 9:00" -> unix seconds. Nil for
    /// text of another shape, a date that does not exist (02-30), or a local time skipped by a
    /// daylight-saving change.
    public func unixTime(local text: String) -> Int? {
        let text = text.trimmedWhitespace
        let halves = text.split(whereSeparator: { $0 == "T" || $0 == " " })
        guard halves.count == 2,
              let date = Self.numbers(halves[0], separator: "-", digits: [4...4, 2...2, 2...2])
                ?? Self.numbers(halves[0], separator: "/", digits: [4...4, 1...2, 1...2]),
              let time = Self.numbers(halves[1], separator: ":", digits: [1...2, 2...2])
                ?? Self.numbers(halves[1], separator: ":", digits: [1...2, 2...2, 2...2])
        else { return nil }
        let wanted = DateComponents(
            year: date[0], month: date[1], day: date[2], hour: time[0], minute: time[1], second: time.count > 2 ? time[2] : 0)
        guard let instant = calendar.date(from: wanted) else { return nil }
        let found = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        guard found.year == wanted.year, found.month == wanted.month, found.day == wanted.day,
              found.hour == wanted.hour, found.minute == wanted.minute, found.second == wanted.second
        else { return nil }
        return Int(instant.timeIntervalSince1970)
    }

    /// Unix seconds -> "2026-11-23 10:00" (with ":30" when the seconds are not 0).
    public func localText(_ unixTime: Int) -> String {
        let (date, time) = parts(unixTime)
        return date + " " + time
    }

    /// Unix seconds -> "2026-11-23T10:00", the value of a `datetime-local` input.
    public func inputValue(_ unixTime: Int) -> String {
        let (date, time) = parts(unixTime)
        return date + "T" + time
    }

    private func parts(_ unixTime: Int) -> (date: String, time: String) {
        let found = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(unixTime)))
        func two(_ number: Int?) -> String { number.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        let year = found.year.map { String($0) } ?? "0000"
        let seconds = (found.second ?? 0) == 0 ? "" : ":" + two(found.second)
        return ("\(year)-\(two(found.month))-\(two(found.day))", "\(two(found.hour)):\(two(found.minute))" + seconds)
    }

    /// "2026-11-23" with "-" and [4...4, 2...2, 2...2] -> [2026, 11, 23]: digit counts within those
    /// ranges, ASCII digits only.
    private static func numbers(_ text: Substring, separator: Character, digits: [ClosedRange<Int>]) -> [Int]? {
        let fields = text.split(separator: separator, omittingEmptySubsequences: false)
        guard fields.count == digits.count else { return nil }
        var numbers: [Int] = []
        for (field, counts) in zip(fields, digits) {
            guard counts.contains(field.count), field.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(field) else { return nil }
            numbers.append(number)
        }
        return numbers
    }
}
