/*
 * The benchmark's baseline: the smallest threaded libfcgi responder, answering every request with
 * the same JSON body and headers as the worker's GET /healthz.
 *
 *   responder SOCKET_PATH THREADS [plain-close]
 *
 * With plain-close it closes each connection as the worker does, at once once the request's input
 * has ended, instead of with libfcgi's lingering close.
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int listen_fd;
static int plain_close;
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;
static const char answer[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 15\r\n"
    "\r\n"
    "{\"status\":\"ok\"}";

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    FCGX_InitRequest(&request, listen_fd, 0);
    for (;;) {
        pthread_mutex_lock(&accept_lock);
        int accepted = FCGX_Accept_r(&request);
        pthread_mutex_unlock(&accept_lock);
        if (accepted < 0) break;
        FCGX_PutStr(answer, sizeof(answer) - 1, request.out);
        if (plain_close && FCGX_GetChar(request.in) == EOF && FCGX_GetError(request.in) == 0) request.detached = 1;
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "plain-close") != 0)) {
        fprintf(stderr, "usage: %s SOCKET_PATH THREADS [plain-close]\n", argv[0]);
        return 2;
    }
    plain_close = argc == 4;
    int threads = atoi(argv[2]);
    FCGX_Init();
    signal(SIGTERM, SIG_DFL);  /* libfcgi's own handler would not end the process */
    listen_fd = FCGX_OpenSocket(argv[1], 1024);
    if (listen_fd < 0) return 1;
    chmod(argv[1], 0660);
    pthread_t ids[threads];
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, serve, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    return 0;
}
