import FastCGI
import Foundation
import Testing

@Suite struct ProblemTests {
    @Test func extensionMembersAreWrittenBesideTheStandardOnesAndReadBack() throws {
        var problem = Problem(status: 422, detail: "refused", instance: "/api/v1/coupons", requestID: "r1")
        problem.extensionMembers = ["errcode": .integer(9_401_020), "errmsg": .string("coupon info invalid"), "status": .integer(1)]
        let response = Response.problem(problem)
        #expect(response.headers["Content-Type"] == Problem.mediaType)
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body == #"{"detail":"refused","errcode":9401020,"errmsg":"coupon info invalid","instance":"/api/v1/coupons","request_id":"r1","status":422,"title":"Unprocessable Content","type":"about:blank"}"#)
        let read = try JSONDecoder().decode(Problem.self, from: Data(response.body))
        #expect(read.extensionMembers == ["errcode": .integer(9_401_020), "errmsg": .string("coupon info invalid")])
        #expect(read.status == 422 && read.requestID == "r1")
    }
}
