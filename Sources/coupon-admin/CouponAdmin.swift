import App
import ArgumentParser
import Web

@main
struct CouponAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coupon-admin",
        abstract: "Back office for WeChat Mini Program shop coupons.",
        version: Version.current,
        subcommands: [Serve.self, Migrate.self, StatusCommand.self, BackupCommand.self, RestoreCommand.self, CheckCommand.self, Users.self, Keys.self, Token.self, SyncCommand.self, ImportCommand.self, WeChatCommand.self]
    )
}

/// sysexits' EX_CONFIG: the systemd unit does not restart the worker on it.
let exitConfigurationError: Int32 = 78
