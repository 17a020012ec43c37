#!/usr/bin/env bash
# GET /healthz through nginx: the worker against a minimal C libfcgi responder with as many threads,
# both behind the same nginx on unix sockets, measured in turn with wrk.
#
#   deploy/bench/bench.sh [--rounds N] [--duration SECONDS] [--connections N] [--threads N]
#
# Prints requests/s and p50/p99 latency per round, then the medians and the ratio worker/C.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

rounds=3 duration=10 connections=32 threads=64
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) rounds=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) die "unknown option $1" ;;
    esac
done

need_packages nginx libfcgi-dev wrk gcc
need_swift
work=$(mktemp -d /tmp/coupon-admin-bench.XXXXXX)
cleanup() {
    [ -f "$work/nginx.pid" ] && kill -TERM "$(cat "$work/nginx.pid")" 2>/dev/null
    kill -TERM "${worker_pid:-}" "${responder_pid:-}" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

say "building the worker (release) and the C responder..."
(cd "$ROOT" && swift build -c release --product coupon-admin >&2)
worker_bin=$(cd "$ROOT" && swift build -c release --show-bin-path)/coupon-admin
gcc -O2 -o "$work/responder" "$ROOT/deploy/bench/responder.c" -lfcgi -lpthread

worker_port=$((20000 + RANDOM % 20000))
c_port=$((worker_port + 1))
"$ROOT/deploy/render-nginx.sh" "$work/worker" LISTEN="127.0.0.1:$worker_port" SOCKET="$work/worker.sock" STATIC_ROOT="$ROOT/nginx/static"
"$ROOT/deploy/render-nginx.sh" "$work/c" LISTEN="127.0.0.1:$c_port" SOCKET="$work/c.sock" STATIC_ROOT="$ROOT/nginx/static"
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
}
NGINX

"$worker_bin" serve --listen "unix:$work/worker.sock" --database "$work/coupon-admin.sqlite" --max-in-flight "$threads" 2>"$work/worker.log" &
worker_pid=$!
"$work/responder" "$work/c.sock" "$threads" &
responder_pid=$!
nginx -e "$work/nginx-error.log" -c "$work/nginx.conf" -p "$work"
wait_for "curl -fsS http://127.0.0.1:$worker_port/healthz" || die "the worker is not answering"
wait_for "curl -fsS http://127.0.0.1:$c_port/healthz" || die "the C responder is not answering"

# wrk's latency lines read "50%  1.23ms"; in milliseconds.
to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.3f", v }'; }
measure() {  # port -> "rps p50 p99"
    local out
    out=$(wrk -t1 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$1/healthz")
    grep -q "Non-2xx" <<<"$out" && die "non-2xx answers during the run: $out"
    printf '%s %s %s\n' "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
        "$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)" "$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)"
}
median() { sort -g | awk '{ v[NR]=$1 } END { print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'; }

say "warming up..."
wrk -t1 -c"$connections" -d2s "http://127.0.0.1:$worker_port/healthz" >/dev/null
wrk -t1 -c"$connections" -d2s "http://127.0.0.1:$c_port/healthz" >/dev/null

printf '%-6s %-8s %12s %10s %10s\n' round server "requests/s" "p50 ms" "p99 ms"
: >"$work/results"
for round in $(seq "$rounds"); do
    for server in c worker; do
        port=$c_port
        [ $server = worker ] && port=$worker_port
        read -r rps p50 p99 < <(measure "$port")
        printf '%-6s %-8s %12s %10s %10s\n' "$round" "$server" "$rps" "$p50" "$p99"
        echo "$server $rps $p50 $p99" >>"$work/results"
    done
done

column() { awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$work/results" | median; }
c_rps=$(column c 2) worker_rps=$(column worker 2)
printf '\nmedians over %s rounds of %ss, %s connections, %s threads each, nginx with 1 worker process:\n' \
    "$rounds" "$duration" "$connections" "$threads"
printf '  C responder  %10.0f requests/s   p50 %s ms   p99 %s ms\n' "$c_rps" "$(column c 3)" "$(column c 4)"
printf '  worker       %10.0f requests/s   p50 %s ms   p99 %s ms\n' "$worker_rps" "$(column worker 3)" "$(column worker 4)"
# Each round measures C and then the worker back to back: the ratio within a round cancels the drift
# of a shared machine better than the ratio of the medians.
round_ratios=$(awk '$1 == "c" { c = $2 } $1 == "worker" { printf "%.3f\n", $2 / c }' "$work/results")
printf '  ratio of the medians: %.2f\n' "$(awk -v w="$worker_rps" -v c="$c_rps" 'BEGIN { print w / c }')"
printf '  ratio worker/C, median of the rounds (%s): %.2f (goal: 0.90 or more)\n' \
    "$(tr '\n' ' ' <<<"$round_ratios" | sed 's/ $//')" "$(median <<<"$round_ratios")"
