#!/usr/bin/env bash
# The worker against a minimal C libfcgi responder with as many threads, both behind the same nginx
# on unix sockets, measured in turn with wrk:
#   - GET /healthz, and GET /api/v1/coupons/{id} over 9,000 stored coupons, against the C responder
#     (and against the same responder closing connections as the worker does, without libfcgi's linger;
#     GET by id also against the C responder sent the very same requests, by the same wrk script);
#   - a list page of 50 coupons;
#   - POST creates, against the rate at which SQLite itself commits on this disk (sqlite-commits.c);
#   - the worker's memory after 100,000 and 200,000 requests;
#   - for each run, the CPU per request of the server, of nginx's worker and of wrk;
#   - the write-ahead log under a mixed load of 64 connections (GET by id, lists and creates at once):
#     the -wal file's largest size, sampled every half second, and its size once the load stops.
#
#   deploy/bench/bench.sh [--rounds N] [--duration SECONDS] [--connections N] [--threads N]
#                         [--wal-seconds SECONDS] [--binary PATH]
#
# --binary measures that coupon-admin instead of building a release one (an earlier build, to compare).
# Prints requests/s and p50/p99 latency per round, then the medians and the ratios.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/wrk.sh"

rounds=3 duration=10 connections=32 threads=64 wal_seconds=60 worker_bin=
while [ $# -gt 0 ]; do
    case $1 in
        --wal-seconds) wal_seconds=$2; shift 2 ;;
        --binary) worker_bin=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) die "unknown option $1" ;;
    esac
done

need_packages nginx libfcgi-dev libsqlite3-dev wrk gcc curl
need_swift
work=$(mktemp -d /tmp/coupon-admin-bench.XXXXXX)
cleanup() {
    [ -f "$work/nginx.pid" ] && kill -TERM "$(cat "$work/nginx.pid")" 2>/dev/null
    kill -TERM "${worker_pid:-}" "${responder_pid:-}" "${plain_responder_pid:-}" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$worker_bin" ]; then
    say "building the worker (release)..."
    (cd "$ROOT" && swift build -c release --product coupon-admin >&2)
    worker_bin=$(cd "$ROOT" && swift build -c release --show-bin-path)/coupon-admin
fi
[ -x "$worker_bin" ] || die "no coupon-admin binary at $worker_bin"
gcc -O2 -o "$work/responder" "$ROOT/deploy/bench/responder.c" -lfcgi -lpthread
gcc -O2 -o "$work/sqlite-commits" "$ROOT/deploy/bench/sqlite-commits.c" -lsqlite3

worker_port=$((20000 + RANDOM % 12000))  # below the ephemeral ports (32768 up) that clients take
c_port=$((worker_port + 1))
c_plain_port=$((worker_port + 2))
"$ROOT/deploy/render-nginx.sh" "$work/worker" LISTEN="127.0.0.1:$worker_port" SOCKET="$work/worker.sock" STATIC_ROOT="$ROOT/nginx/static"
"$ROOT/deploy/render-nginx.sh" "$work/c" LISTEN="127.0.0.1:$c_port" SOCKET="$work/c.sock" STATIC_ROOT="$ROOT/nginx/static"
"$ROOT/deploy/render-nginx.sh" "$work/c-plain" LISTEN="127.0.0.1:$c_plain_port" SOCKET="$work/c-plain.sock" STATIC_ROOT="$ROOT/nginx/static"
# Both server blocks define the same named error locations; each keeps its own.
mkdir -p "$work/temp"
cat >"$work/nginx.conf" <<NGINX
user $(id -un) $(id -gn);
worker_processes 1;
pid $work/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/temp/body;
    fastcgi_temp_path $work/temp/fastcgi;
    proxy_temp_path $work/temp/proxy;
    uwsgi_temp_path $work/temp/uwsgi;
    scgi_temp_path $work/temp/scgi;
    include $work/worker/coupon-admin.conf;
    include $work/c/coupon-admin.conf;
    include $work/c-plain/coupon-admin.conf;
}
NGINX

"$worker_bin" serve --listen "unix:$work/worker.sock" --database "$work/coupon-admin.sqlite" --max-in-flight "$threads" 2>"$work/worker.log" &
worker_pid=$!
"$work/responder" "$work/c.sock" "$threads" &
responder_pid=$!
"$work/responder" "$work/c-plain.sock" "$threads" plain-close &
plain_responder_pid=$!
nginx -e "$work/nginx-error.log" -c "$work/nginx.conf" -p "$work"
wait_for "curl -fsS http://127.0.0.1:$worker_port/healthz" || die "the worker is not answering"
nginx_worker=$(pgrep -P "$(cat "$work/nginx.pid")")
key=$("$worker_bin" keys create --name bench --role editor --database "$work/coupon-admin.sqlite" 2>/dev/null)
wait_for "curl -fsS http://127.0.0.1:$c_port/healthz" || die "the C responder is not answering"
wait_for "curl -fsS http://127.0.0.1:$c_plain_port/healthz" || die "the C responder with plain close is not answering"

wrk_run() {  # port path seconds [script [script args]] -> wrk's report
    local port=$1 path=$2 seconds=$3 script=()
    shift 3
    [ $# -gt 0 ] && script=(-s "$ROOT/deploy/bench/$1") && shift
    wrk -t1 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $key" "${script[@]}" "http://127.0.0.1:$port$path" ${1:+--} "$@"
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }  # a process's user + system CPU, in clock ticks
children_ticks() {  # -> REPLY: the CPU of this shell's finished children (wrk), in clock ticks
    times >"$work/times"  # in this shell: a subshell would count only its own children
    REPLY=$(awk -v hz="$(getconf CLK_TCK)" 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%.0f", t * hz }' "$work/times")
}
measure() {  # server-pid port path [script [args]], duration implied
    # -> "rps p50 p99 server-µs nginx-µs wrk-µs": rate, latency, and each process's CPU per request
    local server=$1 port=$2 path=$3 s0 n0 w0 s1 n1 w1 report summary
    shift 3
    children_ticks
    s0=$(ticks "$server") n0=$(ticks "$nginx_worker") w0=$REPLY
    report=$(wrk_run "$port" "$path" "$duration" "$@")
    children_ticks
    s1=$(ticks "$server") n1=$(ticks "$nginx_worker") w1=$REPLY
    summary=$(wrk_summary <<<"$report")
    awk -v s=$((s1 - s0)) -v n=$((n1 - n0)) -v w=$((w1 - w0)) -v hz="$(getconf CLK_TCK)" -v summary="$summary" '
        / requests in / { r = $1 }
        END { us = 1e6 / hz / r; printf "%s %.1f %.1f %.1f\n", summary, s * us, n * us, w * us }' <<<"$report"
}
rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$worker_pid/status"; }

# All their answers and the list page fit the default answer cache (8 MiB holds about 9,800 answers of a coupon).
coupons=9000
say "storing $coupons coupons through the API..."
template=$(coupon_template)
for i in $(seq "$coupons"); do
    [ "$i" -gt 1 ] && echo next
    printf 'url = "http://127.0.0.1:%s/api/v1/coupons"\nheader = "Content-Type: application/json"\nheader = "Authorization: Bearer %s"\ndata = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
        "$worker_port" "$key" "$(printf "$template" "bench-$i" | sed 's/"/\\"/g')"
done >"$work/seed.curl"
curl -s --parallel --parallel-max "$connections" -K "$work/seed.curl" >"$work/seed.codes" 2>"$work/seed.err"
stored=$(grep -c '^202$' "$work/seed.codes" || true)
[ "$stored" -eq "$coupons" ] || die "storing the coupons: $stored of $coupons answered 202"

say "warming up..."
wrk_run "$worker_port" /healthz 2 >/dev/null
wrk_run "$c_port" /healthz 2 >/dev/null
wrk_run "$c_plain_port" /healthz 2 >/dev/null

say "memory: GET by id until 200,000 requests..."
served=0 rss_100k=""
# Short runs, so that the first figure is taken near 100,000 requests; never both after the same run.
while [ "$served" -lt 200000 ] || [ "$served" -eq "${served_100k:-0}" ]; do
    count=$(wrk_run "$worker_port" /api/v1/coupons/x 2 get-by-id.lua "$coupons" | awk '/requests in/ {print $1}')
    served=$((served + count))
    [ -z "$rss_100k" ] && [ "$served" -ge 100000 ] && rss_100k=$(rss_mib) && served_100k=$served
done
rss_200k=$(rss_mib)

printf '%-6s %-16s %12s %10s %10s   %s\n' round server "requests/s" "p50 ms" "p99 ms" "CPU µs a request: server nginx wrk"
: >"$work/results"
for round in $(seq "$rounds"); do
    for run in "c /healthz" "c-plain /healthz" "c-get /api/v1/coupons/x get-by-id.lua $coupons" "worker /healthz" \
        "worker-get /api/v1/coupons/x get-by-id.lua $coupons" "worker-list /api/v1/coupons?limit=50"; do
        read -r name path script args <<<"$run"
        port=$worker_port server=$worker_pid
        [ "$name" = c ] || [ "$name" = c-get ] && port=$c_port server=$responder_pid
        [ "$name" = c-plain ] && port=$c_plain_port server=$plain_responder_pid
        read -r rps p50 p99 cpu_server cpu_nginx cpu_wrk < <(measure "$server" "$port" "$path" ${script:+"$script"} ${args:+"$args"})
        printf '%-6s %-16s %12s %10s %10s   %s %s %s\n' "$round" "$name $path" "$rps" "$p50" "$p99" "$cpu_server" "$cpu_nginx" "$cpu_wrk"
        echo "$name $rps $p50 $p99 $cpu_server $cpu_nginx $cpu_wrk" >>"$work/results"
    done
done

say "creates: POST for ${duration}s, then SQLite's own commit rate into the same schema in the same folder..."
read -r create_rps create_p50 create_p99 _ < <(measure "$worker_pid" "$worker_port" /api/v1/coupons create.lua created)
row_bytes=$(printf "$template" "created-1" | wc -c)
"$worker_bin" migrate --database "$work/commits.sqlite" >/dev/null
commit_rate=$("$work/sqlite-commits" "$work/commits.sqlite" "$duration" "$row_bytes")

say "the write-ahead log: ${wal_seconds}s of GET by id (32 connections), lists (16) and creates (16) at once..."
wal_size() { stat -c %s "$work/coupon-admin.sqlite-wal" 2>/dev/null || echo 0; }
connections=32 wrk_run "$worker_port" /api/v1/coupons/x "$wal_seconds" get-by-id.lua "$coupons" >"$work/wal-get.out" &
wal_loads=$!
connections=16 wrk_run "$worker_port" "/api/v1/coupons?limit=50" "$wal_seconds" >"$work/wal-list.out" &
wal_loads+=" $!"
connections=16 wrk_run "$worker_port" /api/v1/coupons "$wal_seconds" create.lua wal >"$work/wal-create.out" &
wal_loads+=" $!"
wal_largest=0
for _ in $(seq $((wal_seconds * 2))); do
    size=$(wal_size)
    [ "$size" -gt "$wal_largest" ] && wal_largest=$size
    sleep 0.5
done
wait $wal_loads
for part in get list create; do wrk_summary <"$work/wal-$part.out" >/dev/null; done
wal_rates=$(for part in get list create; do awk '/Requests\/sec/ { printf "%.0f ", $2 }' "$work/wal-$part.out"; done)
sleep 2
curl -fsS -o /dev/null -H "Authorization: Bearer $key" -H "Content-Type: application/json" \
    --data "$(printf "$template" "wal-after")" "http://127.0.0.1:$worker_port/api/v1/coupons"
wal_after=$(wal_size)

column() { awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$work/results" | median; }
# Each round measures C and then the worker back to back: ratios within a round cancel the drift of
# a shared machine better than the ratio of the medians.
round_ratios() { awk -v s="$1" -v base="${2:-c}" '$1 == base { c = $2 } $1 == s { printf "%.3f\n", $2 / c }' "$work/results"; }
rounds_of() { tr '\n' ' ' | sed 's/ $//'; }
report() {  # name label [goal [baseline label]]: ratios to C, to C with plain close, and to the given baseline
    local ratios plain same=""
    ratios=$(round_ratios "$1")
    plain=$(round_ratios "$1" c-plain)
    if [ -n "${4:-}" ]; then
        local to
        to=$(round_ratios "$1" "$4")
        same=$(printf '; to %s %.2f (rounds: %s)' "$5" "$(median <<<"$to")" "$(rounds_of <<<"$to")")
    fi
    printf '  %-26s %8.0f requests/s   p50 %s ms   p99 %s ms   ratio to C %.2f (rounds: %s)%s; to C with plain close %.2f (rounds: %s)%s\n' "$2" \
        "$(column "$1" 2)" "$(column "$1" 3)" "$(column "$1" 4)" "$(median <<<"$ratios")" \
        "$(rounds_of <<<"$ratios")" "${3:+, goal $3 or more}" "$(median <<<"$plain")" "$(rounds_of <<<"$plain")" "$same"
}
printf '\nmedians over %s rounds of %ss, %s connections, %s threads each, nginx with 1 worker process:\n' \
    "$rounds" "$duration" "$connections" "$threads"
printf '  %-26s %8.0f requests/s   p50 %s ms   p99 %s ms\n' "C responder" "$(column c 2)" "$(column c 3)" "$(column c 4)"
printf '  %-26s %8.0f requests/s   p50 %s ms   p99 %s ms\n' "C responder, plain close" "$(column c-plain 2)" "$(column c-plain 3)" "$(column c-plain 4)"
printf '  %-26s %8.0f requests/s   p50 %s ms   p99 %s ms\n' "C responder, GET by id's" "$(column c-get 2)" "$(column c-get 3)" "$(column c-get 4)"
report worker "worker GET /healthz" 0.90
report worker-get "worker GET coupon by id" 0.80 c-get "C under the same requests"
report worker-list "worker GET list of 50"
printf '  %-26s %8.0f requests/s   p50 %s ms   p99 %s ms   SQLite alone: %.0f commits/s, ratio %.2f\n' \
    "worker POST create" "$create_rps" "$create_p50" "$create_p99" "$commit_rate" \
    "$(awk -v a="$create_rps" -v b="$commit_rate" 'BEGIN { print a / b }')"
printf '  worker RSS: %s MiB after %s requests, %s MiB after %s (goal: under 64 MiB, not growing)\n' \
    "$rss_100k" "$served_100k" "$rss_200k" "$served"
printf '\nCPU a request, medians in µs (server, nginx, wrk, total): the rate a run reaches is about what its total allows on this machine\n'
for name in c c-plain c-get worker worker-get worker-list; do
    awk -v s="$(column "$name" 5)" -v n="$(column "$name" 6)" -v w="$(column "$name" 7)" -v label="$name" \
        'BEGIN { printf "  %-12s %6.1f %6.1f %6.1f %7.1f\n", label, s, n, w, s + n + w }'
done
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
printf '\nwrite-ahead log under %ss of mixed load (GET by id, list, create requests/s: %s): largest %s MiB, %s MiB after one create once the load stopped\n' \
    "$wal_seconds" "${wal_rates% }" "$(mib "$wal_largest")" "$(mib "$wal_after")"
