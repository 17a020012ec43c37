/// One complaint about one field: `coupon.coupon_info.discount_info.discount_condition.out_product_ids[3]`.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field.isEmpty ? "the body" : field): \(message)" }
}

/// Every complaint about a document, gathered while decoding it so that all are reported at once.
public struct FieldErrors: Error, Sendable, Equatable {
    public var errors: [FieldError]

    public init(_ errors: [FieldError] = []) {
        self.errors = errors
    }
}

/// Collects field errors while a decoder walks a document.
public final class FieldErrorCollector {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public func add(_ path: FieldPath, _ message: String) {
        errors.append(FieldError(field: path.description, message: message))
    }
}

/// Where a value sits in the document: `coupon.coupon_info.name`, `...out_product_ids[3]`.
public struct FieldPath: Sendable, Equatable, CustomStringConvertible {
    public private(set) var description: String

    public init(_ root: String = "") {
        description = root
    }

    public func member(_ name: String) -> FieldPath {
        FieldPath(description.isEmpty ? name : description + "." + name)
    }

    public func element(_ index: Int) -> FieldPath {
        FieldPath(description + "[\(index)]")
    }
}
