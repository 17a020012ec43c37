/// Where the request being answered runs.
public enum RequestThread {
    /// The executor of the request's own server thread, for tasks that should run there while the request
    /// is being answered (and in Swift's global pool once it has been). Nil outside a request.
    @TaskLocal public static var executor: (any TaskExecutor)?
}
