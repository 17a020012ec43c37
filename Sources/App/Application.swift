import FastCGI
import Logging
import Web

/// Wires the configuration to the router and the FastCGI server. `coupon-admin serve` and the tests
/// build the application the same way.
public enum Application {
    /// Every route the worker answers.
    public static func makeRouter() -> Router {
        var router = Router()
        router.addHealthRoutes()
        return router
    }

    /// Serves until SIGTERM, SIGINT or SIGUSR1, then drains the requests in flight.
    public static func serve(configuration: Configuration, logger: Logger) throws(ListenError) -> Server.Outcome {
        for name in Configuration.unknownVariables(in: currentEnvironment()) {
            logger.warning("ignoring unknown setting", metadata: ["variable": "\(name)"])
        }
        let server = try Server(configuration: configuration.server, responder: makeRouter(), logger: logger)
        server.shutDownOnSignals()
        server.start()
        return server.waitUntilStopped()
    }
}
