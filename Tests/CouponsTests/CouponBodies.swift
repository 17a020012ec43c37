import Coupons
import Foundation
import StrictJSON
import TestSupport

/// Request bodies built as plain dictionaries, so a test can take a field out or change it by path.
enum CouponBodies {
    static let wechatExample = WeChatExample.addBody

    /// A valid body for `type` with only the fields that type needs.
    static func minimal(_ type: CouponType, id: String = "c1") -> [String: Any] {
        var condition: [String: Any] = [:]
        var discount: [String: Any] = [:]
        for field in type.requiredFields {
            switch field {
            case .outProductIDs: condition["out_product_ids"] = ["p1", "p2"]
            case .productCnt: condition["product_cnt"] = 2
            case .productPrice: condition["product_price"] = 10000
            case .tradeinInfo: condition["tradein_info"] = ["out_product_id": "p9", "price": 100]
            case .buygetInfo:
                condition["buyget_info"] = ["buy_out_product_id": "p1", "buy_product_cnt": 2, "get_out_product_id": "p2", "get_product_cnt": 1]
            case .discountNum: discount["discount_num"] = 8800
            case .discountFee: discount["discount_fee"] = 500
            }
        }
        if !condition.isEmpty { discount["discount_condition"] = condition }
        return ["coupon": [
            "out_coupon_id": id, "type": type.rawValue, "promote_type": 4,
            "coupon_info": [
                "name": "Spring sale",
                "promote_info": ["promote_type": 4, "finder": ["nickname": "shop-live"]],
                "discount_info": discount,
                "receive_info": ["start_time": 1_800_000_000, "end_time": 1_800_086_400, "limit_num_one_person": 1, "total_num": 100],
                "valid_info": ["valid_type": 2, "valid_day_num": 7],
            ] as [String: Any],
        ] as [String: Any]]
    }

    static func removing(_ path: String, from body: [String: Any]) -> [String: Any] {
        edit(body, path.split(separator: ".").map(String.init), to: nil)
    }

    static func setting(_ path: String, to value: Any, in body: [String: Any]) -> [String: Any] {
        edit(body, path.split(separator: ".").map(String.init), to: value)
    }

    private static func edit(_ object: [String: Any], _ path: [String], to value: Any?) -> [String: Any] {
        var object = object
        if path.count == 1 {
            object[path[0]] = value
        } else {
            object[path[0]] = edit(object[path[0]] as? [String: Any] ?? [:], Array(path.dropFirst()), to: value)
        }
        return object
    }

    static func bytes(_ body: [String: Any]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
    }

    /// The body's errors as `field: message` lines; empty when it decodes.
    static func errors(_ body: [String: Any]) -> [String] {
        errors(bytes(body))
    }

    static func errors(_ bytes: [UInt8]) -> [String] {
        do {
            _ = try Coupon.decode(requestBody: try JSONParser.parse(bytes))
            return []
        } catch let error as FieldErrors {
            return error.errors.map(\.description)
        } catch {
            return ["not JSON: \(error)"]
        }
    }
}
