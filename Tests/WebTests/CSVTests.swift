import Testing
@testable import Web

@Suite struct CSVTests {
    @Test func fieldsAreQuotedOnlyWhenTheyMustBe() {
        let line = String(decoding: CSV.line(["plain", "a,b", #"say "hi""#, "two\nlines", "满100减20", ""]), as: UTF8.self)
        #expect(line == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",满100减20,\r\n")
    }

    @Test func aFieldASpreadsheetWouldRunIsWrittenAsTextAndReadBackAsItWas() throws {
        let dangerous = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "=1,2"]
        let line = CSV.line(dangerous)
        #expect(String(decoding: line, as: UTF8.self) == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'+1,'-2+3,'@SUM(A1),'\tcmd,\"'\rcmd\",\"'=1,2\"\r\n")
        #expect(try CSV.records(line) == [dangerous])
        #expect(try CSV.records(Array("'hello,it's\r\n".utf8)) == [["'hello", "it's"]], "a quote before anything else stays")
    }

    @Test func recordsAreReadWithOrWithoutAByteOrderMarkAndAnyLineEnd() throws {
        let text = CSV.byteOrderMark + Array("id,name\r\nc1,\"满100\r\n减20\"\nc2,\"x \"\"y\"\"\"\n\nc3,\n".utf8)
        #expect(try CSV.records(text) == [["id", "name"], ["c1", "满100\r\n减20"], ["c2", #"x "y""#], ["c3", ""]])
        #expect(try CSV.records(Array("a,b".utf8)) == [["a", "b"]], "the last line needs no line end")
        #expect(try CSV.records(Array("a,\"\"".utf8)) == [["a", ""]])
    }

    @Test func aBrokenFileSaysWhere() {
        #expect(throws: CSV.Problem.strayQuote(line: 2)) { try CSV.records(Array("a\nb\"c\n".utf8)) }
        #expect(throws: CSV.Problem.stray(line: 1)) { try CSV.records(Array("\"a\"b\n".utf8)) }
        #expect(throws: CSV.Problem.unclosedQuote(line: 2)) { try CSV.records(Array("x\n\"a,b\n".utf8)) }
    }
}
