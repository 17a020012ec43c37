/// The product's version: `coupon-admin --version` prints it, the Debian package takes it from there, and
/// the admin pages put it in their static files' URLs, which nginx lets browsers keep for a year.
public enum Version {
    public static let current = "1.0.0"
}
