import App
import ArgumentParser
import Foundation
import WeChat

struct WeChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wechat",
        abstract: "One-off calls to WeChat's coupon API.",
        subcommands: [Confirm.self]
    )

    struct Confirm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Call /shop/coupon/confirm, which WeChat requires once per Mini Program before any other coupon call.",
            discussion: """
                Once confirmed, WeChat calls the Mini Program's message push URL (set in the Mini Program console under \
                Development > Development settings > Message push) with Event=open_product_receive_coupon whenever a \
                user receives a coupon; that URL is the merchant's own service, not CouponAdmin. Calling it again \
                does no harm.
                """
        )

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let (configuration, wechat) = try database.loadWeChatConfiguration()
            let client = Application.makeWeChatClient(wechat, database: try openDatabase(configuration))
            do throws(WeChatCallError) {
                try await client.confirm()
            } catch {
                try? await client.shutdown()
                FileHandle.standardError.write(Data("coupon-admin: WeChat did not confirm: \(error.description)\n".utf8))
                throw ExitCode.failure
            }
            try? await client.shutdown()
            print("""
                WeChat confirmed the coupon API for app \(wechat.appID).
                From now on WeChat calls the Mini Program's message push URL with Event=open_product_receive_coupon \
                each time a user receives a coupon; handle it there.
                """)
        }
    }
}
