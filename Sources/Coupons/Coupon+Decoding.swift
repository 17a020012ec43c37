import StrictJSON

extension Coupon {
    /// The coupon in a create request, `{"coupon": {...}}`, with every rule checked. All the body's
    /// errors are thrown together, each under its field path.
    public static func decode(requestBody body: JSONValue) throws(FieldErrors) -> Coupon {
        let collector = FieldErrorCollector()
        var coupon: Coupon?
        if var envelope = ObjectReader(body, at: FieldPath(), collector: collector) {
            if let value = envelope.value("coupon", required: true) {
                coupon = CouponDecoder(collector: collector).coupon(value, at: FieldPath("coupon"))
            }
            envelope.rejectUnknownMembers()
        }
        guard let coupon, collector.errors.isEmpty else { throw FieldErrors(collector.errors) }
        return coupon
    }

    /// A coupon object on its own, as stored; the same rules as `decode(requestBody:)`.
    public static func decode(_ value: JSONValue) throws(FieldErrors) -> Coupon {
        let collector = FieldErrorCollector()
        let coupon = CouponDecoder(collector: collector).coupon(value, at: FieldPath("coupon"))
        guard let coupon, collector.errors.isEmpty else { throw FieldErrors(collector.errors) }
        return coupon
    }
}

/// Walks a coupon object: the kind and range of every field and the rules that join fields. Every
/// problem goes to the collector. Parts that failed are left out of the result, which is only used
/// when the collector stayed empty.
private struct CouponDecoder {
    let collector: FieldErrorCollector

    func coupon(_ value: JSONValue, at path: FieldPath) -> Coupon? {
        guard var reader = ObjectReader(value, at: path, collector: collector) else { return nil }
        defer { reader.rejectUnknownMembers() }
        let id = reader.string("out_coupon_id", required: true).flatMap { text -> String? in
            guard !CouponLimits.reservedCouponIDs.contains(text) else {
                collector.add(path.member("out_coupon_id"), "must not be \(text): the API uses /api/v1/coupons/\(text) for itself")
                return nil
            }
            return identifier(text, at: path.member("out_coupon_id"))
        }
        let type = reader.integer("type", required: true).flatMap { number -> CouponType? in
            enumCase(number, at: path.member("type"))
        }
        let promoteType = reader.integer("promote_type", required: true).flatMap { number -> PromoteType? in
            enumCase(number, at: path.member("promote_type"))
        }
        let info = reader.object("coupon_info", required: true).flatMap { couponInfo($0, type: type) }
        guard let id, let type, let promoteType, let info else { return nil }
        return Coupon(outCouponID: id, type: type, promoteType: promoteType, couponInfo: info)
    }

    private func couponInfo(_ reader: ObjectReader, type: CouponType?) -> Coupon.Info? {
        var reader = reader
        defer { reader.rejectUnknownMembers() }
        let name = reader.string("name", required: true).flatMap { text($0, at: reader.path.member("name")) }
        let promote = reader.object("promote_info", required: true).flatMap(promoteInfo)
        let discount = reader.object("discount_info", required: true).flatMap { discountInfo($0, type: type) }
        let receive = reader.object("receive_info", required: true).flatMap(receiveInfo)
        let valid = reader.object("valid_info", required: true).flatMap(validInfo)
        guard let name, let promote, let discount, let receive, let valid else { return nil }
        return Coupon.Info(name: name, promoteInfo: promote, discountInfo: discount, receiveInfo: receive, validInfo: valid)
    }

    private func promoteInfo(_ reader: ObjectReader) -> Coupon.PromoteInfo? {
        var reader = reader
        defer { reader.rejectUnknownMembers() }
        let type = reader.integer("promote_type", required: true).flatMap { number -> PromoteType? in
            enumCase(number, at: reader.path.member("promote_type"))
        }
        var nickname: String?
        if var finder = reader.object("finder", required: true) {
            nickname = finder.string("nickname", required: true).flatMap { text($0, at: finder.path.member("nickname")) }
            finder.rejectUnknownMembers()
        }
        guard let type, let nickname else { return nil }
        return Coupon.PromoteInfo(promoteType: type, finderNickname: nickname)
    }

    private func discountInfo(_ reader: ObjectReader, type: CouponType?) -> Coupon.DiscountInfo? {
        var reader = reader
        defer { reader.rejectUnknownMembers() }
        let needs = type?.requiredFields ?? []
        let reason = type?.reference
        let condition = reader.object("discount_condition", required: needs.contains(where: \.inCondition), because: reason)
            .map { discountCondition($0, needs: needs, reason: reason) }
        let num = reader.integer("discount_num", required: needs.contains(.discountNum), because: reason)
            .flatMap { within($0, CouponLimits.discountNum, at: reader.path.member("discount_num"), "must be more than 0 and less than 10000") }
        let fee = reader.integer("discount_fee", required: needs.contains(.discountFee), because: reason)
            .flatMap { positive($0, at: reader.path.member("discount_fee")) }
        if let type, type.isFullReduction, let fee, let price = condition?.productPrice, fee >= price {
            collector.add(reader.path.member("discount_fee"), "must be less than discount_condition.product_price (\(price)) for \(type.reference)")
        }
        return Coupon.DiscountInfo(discountCondition: condition, discountNum: num, discountFee: fee)
    }

    private func discountCondition(_ reader: ObjectReader, needs: Set<DiscountField>, reason: String?) -> Coupon.DiscountCondition {
        var reader = reader
        defer { reader.rejectUnknownMembers() }
        let count = reader.integer("product_cnt", required: needs.contains(.productCnt), because: reason)
            .flatMap { positive($0, at: reader.path.member("product_cnt")) }
        let price = reader.integer("product_price", required: needs.contains(.productPrice), because: reason)
            .flatMap { positive($0, at: reader.path.member("product_price")) }
        let ids = reader.array("out_product_ids", required: needs.contains(.outProductIDs), because: reason)
            .flatMap { productIDs($0, at: reader.path.member("out_product_ids")) }
        var tradein: Coupon.TradeinInfo?
        if var object = reader.object("tradein_info", required: needs.contains(.tradeinInfo), because: reason) {
            let id = object.string("out_product_id", required: true).flatMap { identifier($0, at: object.path.member("out_product_id")) }
            let price = object.integer("price", required: true).flatMap { positive($0, at: object.path.member("price")) }
            object.rejectUnknownMembers()
            if let id, let price { tradein = Coupon.TradeinInfo(outProductID: id, price: price) }
        }
        var buyget: Coupon.BuygetInfo?
        if var object = reader.object("buyget_info", required: needs.contains(.buygetInfo), because: reason) {
            let buyID = object.string("buy_out_product_id", required: true).flatMap { identifier($0, at: object.path.member("buy_out_product_id")) }
            let buyCount = object.integer("buy_product_cnt", required: true).flatMap { positive($0, at: object.path.member("buy_product_cnt")) }
            let getID = object.string("get_out_product_id", required: true).flatMap { identifier($0, at: object.path.member("get_out_product_id")) }
            let getCount = object.integer("get_product_cnt", required: true).flatMap { positive($0, at: object.path.member("get_product_cnt")) }
            object.rejectUnknownMembers()
            if let buyID, let buyCount, let getID, let getCount {
                buyget = Coupon.BuygetInfo(buyOutProductID: buyID, buyProductCnt: buyCount, getOutProductID: getID, getProductCnt: getCount)
            }
        }
        return Coupon.DiscountCondition(productCnt: count, productPrice: price, outProductIDs: ids, tradeinInfo: tradein, buygetInfo: buyget)
    }

    private func productIDs(_ elements: [(JSONValue, FieldPath)], at path: FieldPath) -> [String]? {
        guard CouponLimits.productIDCount.contains(elements.count) else {
            collector.add(path, "must hold from \(CouponLimits.productIDCount.lowerBound) to \(CouponLimits.productIDCount.upperBound) product ids, not \(elements.count)")
            return nil
        }
        var ids: [String] = []
        var seen: [String: Int] = [:]
        var valid = true
        for (index, (value, elementPath)) in elements.enumerated() {
            guard let id = string(value, at: elementPath, collector: collector).flatMap({ identifier($0, at: elementPath) }) else {
                valid = false
                continue
            }
            if let first = seen[id] {
                collector.add(elementPath, "repeats the product id at [\(first)]")
                valid = false
            } else {
                seen[id] = index
            }
            ids.append(id)
        }
        return valid ? ids : nil
    }

    private func receiveInfo(_ reader: ObjectReader) -> Coupon.ReceiveInfo? {
        var reader = reader
        defer { reader.rejectUnknownMembers() }
        let start = reader.integer("start_time", required: true)
        let end = reader.integer("end_time", required: true)
        let limit = reader.integer("limit_num_one_person", required: true).flatMap { positive($0, at: reader.path.member("limit_num_one_person")) }
        let total = reader.integer("total_num", required: true).flatMap { positive($0, at: reader.path.member("total_num")) }
        checkOrder(start, end, at: reader.path)
        guard let start, let end, let limit, let total else { return nil }
        return Coupon.ReceiveInfo(startTime: start, endTime: end, limitNumOnePerson: limit, totalNum: total)
    }

    private func validInfo(_ reader: ObjectReader) -> Coupon.ValidInfo? {
        var reader = reader
        defer { reader.rejectUnknownMembers() }
        let type = reader.integer("valid_type", required: true).flatMap { number -> ValidType? in
            enumCase(number, at: reader.path.member("valid_type"))
        }
        let reason = type.map { "valid_type \($0.rawValue)" }
        let days = reader.integer("valid_day_num", required: type == .days, because: reason)
            .flatMap { positive($0, at: reader.path.member("valid_day_num")) }
        let seconds = reader.integer("valid_second", required: type == .seconds, because: reason)
            .flatMap { positive($0, at: reader.path.member("valid_second")) }
        let start = reader.integer("start_time", required: type == .timeRange, because: reason)
        let end = reader.integer("end_time", required: type == .timeRange, because: reason)
        checkOrder(start, end, at: reader.path)
        guard let type else { return nil }
        return Coupon.ValidInfo(validType: type, validDayNum: days, validSecond: seconds, startTime: start, endTime: end)
    }

    private func checkOrder(_ start: Int?, _ end: Int?, at path: FieldPath) {
        if let start, let end, start >= end {
            collector.add(path.member("end_time"), "must be after start_time (\(start))")
        }
    }

    private func identifier(_ text: String, at path: FieldPath) -> String? {
        if let problem = CouponLimits.identifierProblem(text) {
            collector.add(path, problem.description)
            return nil
        }
        return text
    }

    private func text(_ text: String, at path: FieldPath) -> String? {
        if let problem = CouponLimits.textProblem(text) {
            collector.add(path, problem.description)
            return nil
        }
        return text
    }

    private func positive(_ number: Int, at path: FieldPath) -> Int? {
        within(number, 1...CouponLimits.maximum, at: path, "must be at least 1")
    }

    private func within(_ number: Int, _ range: ClosedRange<Int>, at path: FieldPath, _ message: String) -> Int? {
        guard range.contains(number) else {
            collector.add(path, message)
            return nil
        }
        return number
    }

    private func enumCase<Value: RawRepresentable & CaseIterable>(_ number: Int, at path: FieldPath) -> Value? where Value.RawValue == Int {
        guard let value = Value(rawValue: number) else {
            collector.add(path, "must be one of \(Value.allCases.map { String($0.rawValue) }.joined(separator: ", "))")
            return nil
        }
        return value
    }
}
