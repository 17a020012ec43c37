/// The product's version: `coupon-admin --version` prints it, and the Debian package takes it from there.
public enum Version {
    public static let current = "1.0.0"
}
