import Coupons

/// Coupons from a spreadsheet in `CouponCSV.columns` (an export, or the template filled in): each row
/// read by the new-coupon form's own rules (`CouponForm`), every problem found, by row and column.
extension CouponCSV {
    /// What is wrong with one cell, one row or the whole file.
    struct CellProblem: Equatable {
        /// The spreadsheet's row number (the header is row 1); 0 for the file as a whole.
        var row: Int
        var column: String?
        var problem: CouponForm.Problem
    }

    /// Every problem of a file.
    struct FileProblems: Error, Equatable {
        var problems: [CellProblem]
    }

    /// The columns a file must have.
    static let requiredColumns = ["out_coupon_id", "type", "name"]

    /// The file's coupons, each with its row; or every problem of the file when there is any. Columns
    /// the form does not have (the type in words, the state at WeChat) are there to read and ignored.
    static func coupons(in bytes: [UInt8], clock: ShopClock) throws(FileProblems) -> [(row: Int, coupon: Coupon)] {
        let records: [[String]]
        do {
            records = try CSV.records(bytes)
        } catch {
            let line = switch error {
            case .strayQuote(let line), .stray(let line), .unclosedQuote(let line): line
            }
            throw FileProblems(problems: [CellProblem(row: 0, problem: .init(key: "upload.not_csv", arguments: [String(line)]))])
        }
        guard let header = records.first?.map({ String($0.trimmedWhitespace) }) else {
            throw FileProblems(problems: [CellProblem(row: 0, problem: .init(key: "upload.empty"))])
        }
        var problems: [CellProblem] = []
        for (index, name) in header.enumerated() {
            if !columns.contains(name) {
                problems.append(CellProblem(row: 1, column: name, problem: .init(key: "upload.unknown_column", arguments: [columnLetter(index)])))
            } else if header[..<index].contains(name) {
                problems.append(CellProblem(row: 1, column: name, problem: .init(key: "upload.repeated_column")))
            }
        }
        for name in requiredColumns where !header.contains(name) {
            problems.append(CellProblem(row: 1, column: name, problem: .init(key: "upload.missing_column")))
        }
        guard problems.isEmpty else { throw FileProblems(problems: problems) }
        guard records.count > 1 else { throw FileProblems(problems: [CellProblem(row: 0, problem: .init(key: "upload.no_rows"))]) }

        var coupons: [(row: Int, coupon: Coupon)] = []
        var rowOfID: [String: Int] = [:]
        for (index, record) in records.dropFirst().enumerated() {
            let row = index + 2
            guard record.count <= header.count else {
                problems.append(CellProblem(row: row, problem: .init(key: "upload.extra_cells", arguments: [String(header.count)])))
                continue
            }
            var form = CouponForm()
            for (name, value) in zip(header, record) where CouponForm.fieldNames.contains(name) { form.values[name] = value }
            switch form.coupon(clock: clock) {
            case .success(let coupon):
                if let first = rowOfID[coupon.outCouponID] {
                    problems.append(CellProblem(row: row, column: "out_coupon_id", problem: .init(key: "upload.repeated_id", arguments: [String(first)])))
                } else {
                    rowOfID[coupon.outCouponID] = row
                    coupons.append((row, coupon))
                }
            case .failure(let errors):
                problems += errors.problems
                    .sorted { (header.firstIndex(of: $0.key) ?? -1) < (header.firstIndex(of: $1.key) ?? -1) }
                    .map { CellProblem(row: row, column: $0.key.isEmpty ? nil : $0.key, problem: $0.value) }
            }
        }
        guard problems.isEmpty else { throw FileProblems(problems: problems) }
        return coupons
    }

    /// A spreadsheet's name for the column at `index`: A, B, ..., Z, AA, AB, ...
    static func columnLetter(_ index: Int) -> String {
        var index = index, letters = ""
        repeat {
            letters = String(UnicodeScalar(UInt8(65 + index % 26))) + letters
            index = index / 26 - 1
        } while index >= 0
        return letters
    }
}
