import App
import ArgumentParser
import FastCGI
import Foundation
import Logging
import Storage

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the FastCGI worker behind nginx until SIGTERM or SIGINT.",
        discussion: "Every flag can also be set as a COUPON_ADMIN_* environment variable; flags win."
    )

    @Option(help: "unix:/path, 127.0.0.1:PORT or fd:0 (default \(Configuration.Key.listen.defaultValue))")
    var listen: String?

    @Option(help: "Octal mode of the unix socket (default \(Configuration.Key.socketMode.defaultValue))")
    var socketMode: String?

    @Option(help: "Requests handled at once (default \(Configuration.Key.maxInFlight.defaultValue))")
    var maxInFlight: String?

    @Option(help: "Connections the kernel queues beyond that (default \(Configuration.Key.listenBacklog.defaultValue))")
    var listenBacklog: String?

    @Option(help: "Largest request body in bytes (default \(Configuration.Key.maxBodyBytes.defaultValue))")
    var maxBodyBytes: String?

    @Option(help: "Seconds in-flight requests get to finish at shutdown (default \(Configuration.Key.shutdownTimeout.defaultValue))")
    var shutdownTimeout: String?

    @Option(help: "Seconds a connection may keep the worker waiting for its request or to take its answer (default \(Configuration.Key.clientTimeout.defaultValue))")
    var clientTimeout: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (default \(Configuration.Key.logLevel.defaultValue))")
    var logLevel: String?

    @OptionGroup var database: DatabaseOptions

    @Option(help: "WeChat's API (default \(Configuration.Key.wechatAPIBase.defaultValue))")
    var wechatApiBase: String?

    @Option(help: "The mini program's appid; unset, nothing is sent to WeChat")
    var wechatAppid: String?

    @Option(help: "A file holding the app secret (the secret itself only as COUPON_ADMIN_WECHAT_SECRET)")
    var wechatSecretFile: String?

    @Option(help: "stable (/cgi-bin/stable_token) or legacy (/cgi-bin/token) (default \(Configuration.Key.wechatTokenEndpoint.defaultValue))")
    var wechatTokenEndpoint: String?

    @Option(help: "Seconds to connect to WeChat (default \(Configuration.Key.wechatConnectTimeout.defaultValue))")
    var wechatConnectTimeout: String?

    @Option(help: "Seconds a WeChat call may take in all (default \(Configuration.Key.wechatTimeout.defaultValue))")
    var wechatTimeout: String?

    @Option(help: "Seconds a create or change waits for WeChat before answering 202 (default \(Configuration.Key.syncDeadline.defaultValue))")
    var syncDeadline: String?

    @Option(help: "Seconds a staff login may go unused (default \(Configuration.Key.sessionIdleTimeout.defaultValue))")
    var sessionIdleTimeout: String?

    @Option(help: "Seconds a staff login lasts at most (default \(Configuration.Key.sessionLifetime.defaultValue))")
    var sessionLifetime: String?

    @Option(help: "The shop's time zone, for times on the admin pages (default \(Configuration.Key.timeZone.defaultValue))")
    var timeZone: String?

    @Option(help: "MiB for API answers kept while the database is unchanged; 0 keeps none (default \(Configuration.Key.answerCacheMiB.defaultValue))")
    var answerCacheMib: String?

    @Option(help: "Sync attempts kept per coupon, the newest; all are counted (default \(Configuration.Key.syncAttemptsKept.defaultValue))")
    var syncAttemptsKept: String?

    func run() throws {
        let configuration = try database.loadConfiguration(adding: [
            .listen: listen, .socketMode: socketMode, .maxInFlight: maxInFlight, .listenBacklog: listenBacklog,
            .maxBodyBytes: maxBodyBytes, .shutdownTimeout: shutdownTimeout, .clientTimeout: clientTimeout, .logLevel: logLevel,
            .wechatAPIBase: wechatApiBase, .wechatAppID: wechatAppid, .wechatSecretFile: wechatSecretFile,
            .wechatTokenEndpoint: wechatTokenEndpoint, .wechatConnectTimeout: wechatConnectTimeout, .wechatTimeout: wechatTimeout,
            .syncDeadline: syncDeadline, .sessionIdleTimeout: sessionIdleTimeout, .sessionLifetime: sessionLifetime,
            .timeZone: timeZone, .answerCacheMiB: answerCacheMib, .syncAttemptsKept: syncAttemptsKept,
        ].compactMapValues { $0 })
        let toJournal = LogfmtHandler.standardErrorIsTheJournal(currentEnvironment())
        LoggingSystem.bootstrap { label in LogfmtHandler(label: label, level: configuration.logLevel, syslogPriorities: toJournal) }
        let logger = Logger(label: "coupon-admin")
        defer { LogWriter.standardError.flush() }
        _ = Monitoring.registry  // swift-metrics records into it from here on: the database's commits among the first
        let database: AppDatabase
        do {
            database = try Application.openDatabaseForServing(configuration, logger: logger)
        } catch {
            logger.critical("cannot serve this database", metadata: ["path": "\(configuration.databasePath)", "reason": "\(error)"])
            throw ExitCode(exitConfigurationError)  // a newer version's schema: restarting will not help
        }
        do {
            switch try Application.serve(configuration: configuration, database: database, logger: logger) {
            case .drained: return
            case .timedOut: throw ExitCode.failure
            }
        } catch let error as ListenError {
            logger.critical("cannot listen", metadata: ["reason": "\(error.description)"])
            throw ExitCode.failure
        }
    }
}
