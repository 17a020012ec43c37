import Coupons

extension CouponForm {
    /// Reads the form's fields one by one, keeping the first problem of each.
    struct Checker {
        let form: CouponForm
        let clock: ShopClock
        var errors = FormErrors()

        mutating func problem(_ field: String, _ key: String, _ arguments: String...) {
            if errors.problems[field] == nil { errors.problems[field] = Problem(key: key, arguments: arguments) }
        }

        /// The field's text without spaces at either end, or nil (and "required") when that is empty.
        mutating func filled(_ field: String) -> String? {
            let text = String(form[field].trimmedWhitespace)
            if text.isEmpty { problem(field, "error.required") }
            return text.isEmpty ? nil : text
        }

        mutating func choice<Value>(_ field: String, _ make: (Int) -> Value?) -> Value? {
            guard let value = Int(form[field]).flatMap(make) else {
                problem(field, "error.choose")
                return nil
            }
            return value
        }

        mutating func identifier(_ field: String) -> String? {
            guard let text = filled(field) else { return nil }
            if let trouble = CouponLimits.identifierProblem(text) {
                report(trouble, field)
                return nil
            }
            return text
        }

        mutating func text(_ field: String) -> String? {
            guard let text = filled(field) else { return nil }
            if let trouble = CouponLimits.textProblem(text) {
                report(trouble, field)
                return nil
            }
            return text
        }

        private mutating func report(_ trouble: TextProblem, _ field: String) {
            switch trouble {
            case .empty: problem(field, "error.required")
            case .tooLong(let maximum): problem(field, "error.too_long", String(maximum))
            case .notIdentifier: problem(field, "error.identifier")
            case .controlCharacters: problem(field, "error.control_characters")
            }
        }

        /// A whole number of items, days, coupons: 1 or more.
        mutating func count(_ field: String) -> Int? {
            guard let text = filled(field) else { return nil }
            guard let number = Units.wholeNumber(text) else {
                problem(field, "error.whole_number")
                return nil
            }
            return within(number, field, shown: String.init)
        }

        /// Yuan in, fen out: at least 0.01.
        mutating func fen(_ field: String) -> Int? {
            guard let text = filled(field) else { return nil }
            guard let fen = Units.fen(yuan: text) else {
                problem(field, "error.yuan")
                return nil
            }
            return within(fen, field, shown: Units.yuan(fen:))
        }

        mutating func discount(_ field: String) -> Int? {
            guard let text = filled(field) else { return nil }
            guard let number = Units.discountNum(zhe: text) else {
                problem(field, "error.zhe")
                return nil
            }
            guard CouponLimits.discountNum.contains(number) else {
                problem(field, "error.discount_range")
                return nil
            }
            return number
        }

        mutating func seconds(_ field: String) -> Int? {
            guard let text = filled(field) else { return nil }
            guard let seconds = Units.seconds(hours: text) else {
                problem(field, "error.hours")
                return nil
            }
            return within(seconds, field) { Units.hours(seconds: $0) ?? String($0) }
        }

        /// Two local times, the second after the first.
        mutating func window(_ startField: String, _ endField: String) -> (Int?, Int?) {
            let start = time(startField), end = time(endField)
            if let start, let end, end <= start {
                problem(endField, "error.end_before_start")
                return (start, nil)
            }
            return (start, end)
        }

        mutating func time(_ field: String) -> Int? {
            guard let text = filled(field) else { return nil }
            guard let time = clock.unixTime(local: text) else {
                problem(field, "error.datetime")
                return nil
            }
            guard time >= 0 else {
                problem(field, "error.at_least", clock.localText(0))
                return nil
            }
            guard time <= CouponLimits.maximum else {
                problem(field, "error.at_most", clock.localText(CouponLimits.maximum))
                return nil
            }
            return time
        }

        /// The product ids, each valid, none twice, from 1 to 128 of them.
        mutating func productIDs(_ field: String) -> [String]? {
            guard let text = filled(field) else { return nil }
            let ids = CouponForm.productIDs(text)
            guard CouponLimits.productIDCount.contains(ids.count) else {
                problem(field, "error.product_id_count", String(CouponLimits.productIDCount.upperBound), String(ids.count))
                return nil
            }
            var seen: Set<String> = []
            for id in ids {
                if let trouble = CouponLimits.identifierProblem(id) {
                    if case .tooLong(let maximum) = trouble {
                        problem(field, "error.product_id_too_long", id, String(maximum))
                    } else {
                        problem(field, "error.product_id", id)
                    }
                    return nil
                }
                guard seen.insert(id).inserted else {
                    problem(field, "error.product_id_repeated", id)
                    return nil
                }
            }
            return ids
        }

        private mutating func within(_ number: Int, _ field: String, shown: (Int) -> String) -> Int? {
            guard number >= 1 else {
                problem(field, "error.at_least", shown(1))
                return nil
            }
            guard number <= CouponLimits.maximum else {
                problem(field, "error.at_most", shown(CouponLimits.maximum))
                return nil
            }
            return number
        }
    }
}
