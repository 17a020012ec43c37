#ifndef COUPON_ADMIN_CFASTCGI_SHIM_H
#define COUPON_ADMIN_CFASTCGI_SHIM_H

#include <fcgiapp.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

/*
 * Forwards SIGTERM, SIGINT and SIGUSR1 to a pipe (the self-pipe trick), replacing the handlers
 * FCGX_Init installs. A signal handler may only call async-signal-safe functions, which is why
 * this lives in C: the handler writes the signal number and nothing else.
 *
 * The signals are also unblocked on the calling thread: a parent may start the worker with them
 * blocked (libdispatch's threads block them, and children inherit the mask), and threads created
 * afterwards inherit this thread's mask.
 */
static int cfastcgi_signal_pipe = -1;

static void cfastcgi_forward_signal(int signo) {
    int saved = errno;
    unsigned char byte = (unsigned char)signo;
    ssize_t ignored = write(cfastcgi_signal_pipe, &byte, 1);
    (void)ignored;
    errno = saved;
}

static inline int cfastcgi_forward_shutdown_signals(int pipe_write_fd) {
    cfastcgi_signal_pipe = pipe_write_fd;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = cfastcgi_forward_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    int signals[] = { SIGTERM, SIGINT, SIGUSR1 };
    sigset_t unblock;
    sigemptyset(&unblock);
    for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
        sigaddset(&unblock, signals[i]);
    }
    return pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
}

/*
 * The signal that wakes a server thread blocked in accept(): a handler that does nothing, installed
 * without SA_RESTART, so accept() returns EINTR and FCGX_Accept_r (with FCGI_FAIL_ACCEPT_ON_INTR) returns.
 */
static void cfastcgi_ignore_wake(int signo) { (void)signo; }

static inline int cfastcgi_install_wake_signal(int signo) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = cfastcgi_ignore_wake;
    sigemptyset(&action.sa_mask);
    return sigaction(signo, &action, NULL);
}

/* Lets the calling thread receive `signo`, whatever mask it inherited. */
static inline int cfastcgi_unblock_signal(int signo) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    return pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/*
 * Reads the params of the next request on `fd`, a connection the caller accepted, or, when `fd` is -1,
 * on the connection the last request kept open (FCGI_KEEP_CONN). 0 on success; otherwise a negative
 * errno, and libfcgi has closed the connection.
 *
 * FCGX_Accept_r accepts by itself only when the request holds no connection: it is handed one as if
 * kept from a previous request (keepConnection, so that its own FCGX_Finish_r does not close it). The
 * request must have been initialised with no listening socket (-1): when the params cannot be read,
 * FCGX_Accept_r closes the connection (at once, as detached) and its own accept(-1) fails with EBADF
 * instead of waiting for another client. fcgiapp.h marks these fields as libfcgi's own; the tests of
 * the server's timeouts and of kept connections (FastCGITests) cover what this relies on.
 */
static inline int cfastcgi_read_request(FCGX_Request *request, int fd) {
    if (fd >= 0) {
        request->ipcFd = fd;
        request->keepConnection = 1;
    }
    request->detached = 1;
    int result = FCGX_Accept_r(request);
    if (result == 0) request->detached = 0;
    return result;
}

/* glibc declares these only under _GNU_SOURCE, which the Glibc module is built without. */
extern int pthread_setname_np(pthread_t thread, const char *name);
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);

/*
 * Names the calling thread as `ps -L`, `top -H` and `perf` show it (at most 15 bytes). Foundation's
 * `Thread.name` does not reach the OS thread on Linux.
 */
static inline int cfastcgi_name_thread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

#endif
