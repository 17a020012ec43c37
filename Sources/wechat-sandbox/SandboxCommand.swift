import ArgumentParser
import Foundation
import Hummingbird
import WeChatSandbox

@main
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wechat-sandbox",
        abstract: "A local stand-in for api.weixin.qq.com: tokens, coupon endpoints, and faults on demand.",
        discussion: "Prints 'listening on http://HOST:PORT' once it serves; stops on SIGTERM or SIGINT."
    )

    @Option(help: "127.0.0.1:PORT to listen on; port 0 picks a free one")
    var listen = "127.0.0.1:0"

    @Option(help: "The appid it accepts")
    var appid = "wxsandbox"

    @Option(help: "The secret it accepts")
    var secret = "sandbox-secret"

    @Option(help: "Seconds a token lives")
    var tokenLifetime = 7200.0

    @Option(help: "Seconds an old token keeps working beside its successor")
    var tokenOverlap = 300.0

    func run() async throws {
        let parts = listen.split(separator: ":")
        guard parts.count == 2, parts[0] == "127.0.0.1", let port = Int(parts[1]) else {
            throw ValidationError("--listen takes 127.0.0.1:PORT (loopback only)")
        }
        let sandbox = Sandbox(
            settings: .init(appID: appid, secret: secret, tokenLifetime: tokenLifetime, tokenOverlap: tokenOverlap),
            clock: { Date().timeIntervalSince1970 }
        )
        let app = Application(
            router: SandboxServer.makeRouter(sandbox: sandbox),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "wechat-sandbox"),
            onServerRunning: { channel in
                FileHandle.standardOutput.write(Data("listening on http://127.0.0.1:\(channel.localAddress?.port ?? port)\n".utf8))
            }
        )
        try await app.runService()
    }
}
