/*
 * The create benchmark's baseline: how many transactions a second SQLite itself commits on this
 * disk, one coupon row each, into the worker's own schema (the file is made by `coupon-admin migrate`,
 * so the same indexes are updated), in WAL mode with synchronous=FULL as the worker sets it up.
 *
 *   sqlite-commits DATABASE_PATH SECONDS BODY_BYTES
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s DATABASE_PATH SECONDS BODY_BYTES\n", argv[0]);
        return 2;
    }
    double seconds = atof(argv[2]);
    int row_bytes = atoi(argv[3]);
    sqlite3 *db;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) return 1;
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", 0, 0, 0);
    char *body = malloc(row_bytes + 1);
    memset(body, 'x', row_bytes);
    body[row_bytes] = 0;
    sqlite3_stmt *insert;
    if (sqlite3_prepare_v2(db,
            "INSERT INTO coupon (out_coupon_id, type, name, body, sync_state, created_at, updated_at) "
            "VALUES (?, 104, 'bench', ?, 'pending', 0, 0)", -1, &insert, 0) != SQLITE_OK) {
        fprintf(stderr, "%s\n", sqlite3_errmsg(db));
        return 1;
    }
    char id[32];
    long commits = 0;
    double start = now(), elapsed;
    while ((elapsed = now() - start) < seconds) {
        sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
        snprintf(id, sizeof id, "commit-%ld", commits);
        sqlite3_bind_text(insert, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, body, row_bytes, SQLITE_STATIC);
        if (sqlite3_step(insert) != SQLITE_DONE) return 1;
        sqlite3_reset(insert);
        if (sqlite3_exec(db, "COMMIT", 0, 0, 0) != SQLITE_OK) return 1;
        commits++;
    }
    printf("%.1f\n", commits / elapsed);
    sqlite3_close(db);
    return 0;
}
