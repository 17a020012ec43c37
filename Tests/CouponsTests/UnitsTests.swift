import Coupons
import Foundation
import Testing

@Suite struct UnitsTests {
    @Test(arguments: [
        ("0.1", 10), ("0.2", 20), ("0.30", 30), ("12", 1200), ("12.3", 1230), ("12.34", 1234), ("0.01", 1), (".5", 50),
        (" 7.5 ", 750), ("１２．５", 1250), ("21474836.47", 2_147_483_647), ("999999999999999", 99_999_999_999_999_900),
    ])
    func yuanBecomesExactFen(text: String, fen: Int) {
        #expect(Units.fen(yuan: text) == fen)
    }

    @Test func tenthsAddUpExactly() {
        // 0.1 + 0.2 as floating point is 0.30000000000000004; in fen it is exactly 30.
        #expect(Units.fen(yuan: "0.1")! + Units.fen(yuan: "0.2")! == Units.fen(yuan: "0.3")!)
    }

    @Test(arguments: ["", " ", "12.345", "-1", "+1", "1e3", "1,000", "12.", ".", "1.2.3", "¥12", "abc", "0x10", "1000000000000000"])
    func notAnAmount(text: String) {
        #expect(Units.fen(yuan: text) == nil)
    }

    @Test(arguments: [(1230, "12.3"), (1205, "12.05"), (10000, "100"), (1, "0.01"), (0, "0"), (2_147_483_647, "21474836.47")])
    func fenReadsAsYuan(fen: Int, text: String) {
        #expect(Units.yuan(fen: fen) == text)
        #expect(Units.fen(yuan: text) == fen)
    }

    @Test(arguments: [("9.8", 9800), ("5.1", 5100), ("9.85", 9850), ("9.999", 9999), ("0.001", 1), ("8", 8000), ("10", 10000)])
    func zheBecomesDiscountNum(text: String, number: Int) {
        #expect(Units.discountNum(zhe: text) == number)
    }

    @Test(arguments: ["9.8888", "九折", "9.8折", "-1"])
    func notADiscount(text: String) {
        #expect(Units.discountNum(zhe: text) == nil)
    }

    @Test func discountNumReadsAsZhe() {
        #expect(Units.zhe(discountNum: 9800) == "9.8")
        #expect(Units.zhe(discountNum: 5000) == "5")
        #expect(Units.zhe(discountNum: 1) == "0.001")
        #expect(Units.percentOff(discountNum: 9800) == "2")
        #expect(Units.percentOff(discountNum: 9850) == "1.5")
        #expect(Units.percentOff(discountNum: 1) == "99.99")
    }

    @Test func hoursBecomeSeconds() {
        #expect(Units.seconds(hours: "1.5") == 5400)
        #expect(Units.seconds(hours: "0.01") == 36)
        #expect(Units.seconds(hours: "24") == 86400)
        #expect(Units.seconds(hours: "0.001") == nil)
        #expect(Units.hours(seconds: 5400) == "1.5")
        #expect(Units.hours(seconds: 100) == nil)
    }
}

@Suite struct ShopClockTests {
    let shanghai = ShopClock(timeZoneIdentifier: "Asia/Shanghai")!

    @Test func shanghaiIsEightHoursAheadOfUTCAllYear() {
        // China has kept no daylight saving time since 1991: winter and summer are both UTC+8.
        #expect(shanghai.unixTime(local: "2026-01-15T00:00") == 1_768_406_400)
        #expect(shanghai.unixTime(local: "2026-07-15T00:00") == 1_784_044_800)
        #expect(shanghai.unixTime(local: "1970-01-01T08:00") == 0)
    }

    @Test(arguments: [
        "2026-11-23T10:00", "2026-11-23 10:00", " 2026-11-23T10:00:00 ", "2026-11-23T10:00:00",
        // As Excel writes a date and time back when a CSV is saved again.
        "2026/11/23 10:00", "2026/11/23 10:00:00",
    ])
    func acceptedShapes(text: String) {
        #expect(shanghai.unixTime(local: text) == 1_795_399_200)
    }

    @Test(arguments: [
        "", "2026-11-23", "10:00", "2026-02-30T10:00", "2026-13-01T10:00", "2026-11-23T24:00", "2026-11-23T10:60",
        "26-11-23T10:00", "2026-1-5T10:00", "2026/11-23 10:00", "26/11/23 10:00", "2026/111/3 10:00", "2026-11-23T10",
        "２０２６-11-23T10:00", "2026-11-23T100:00",
    ])
    func refusedShapes(text: String) {
        #expect(shanghai.unixTime(local: text) == nil)
    }

    @Test func aSpreadsheetsShortDayMonthAndHourAreRead() {
        #expect(shanghai.unixTime(local: "2026/1/5 9:00") == shanghai.unixTime(local: "2026-01-05T09:00"))
        #expect(shanghai.unixTime(local: "2026/1/5 9:00") != nil)
    }

    @Test func leapDay() {
        #expect(shanghai.unixTime(local: "2028-02-29T12:00") != nil)
        #expect(shanghai.unixTime(local: "2027-02-29T12:00") == nil)
    }

    @Test func roundTrips() {
        #expect(shanghai.localText(1_795_399_200) == "2026-11-23 10:00")
        #expect(shanghai.inputValue(1_795_399_200) == "2026-11-23T10:00")
        #expect(shanghai.localText(1_795_399_230) == "2026-11-23 10:00:30")
        #expect(shanghai.unixTime(local: shanghai.inputValue(1_795_399_230)) == 1_795_399_230)
    }

    @Test func anotherZoneGivesAnotherInstant() throws {
        let utc = try #require(ShopClock(timeZoneIdentifier: "UTC"))
        #expect(utc.unixTime(local: "2026-11-23T02:00") == shanghai.unixTime(local: "2026-11-23T10:00"))
    }

    @Test func aTimeSkippedByDaylightSavingDoesNotExist() throws {
        // Berlin's clocks went from 02:00 to 03:00 on 2026-03-29.
        let berlin = try #require(ShopClock(timeZoneIdentifier: "Europe/Berlin"))
        #expect(berlin.unixTime(local: "2026-03-29T02:30") == nil)
        #expect(berlin.unixTime(local: "2026-03-29T03:30") != nil)
    }

    @Test func unknownZone() {
        #expect(ShopClock(timeZoneIdentifier: "Mars/Olympus") == nil)
    }
}
