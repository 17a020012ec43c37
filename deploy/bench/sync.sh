#!/usr/bin/env bash
# Creates with WeChat in the loop: the worker behind nginx, syncing each create with the WeChat sandbox
# (add, then get, before it answers 201), measured with wrk:
#   - what our code adds to a create beyond the sandbox's own answers: one connection at a time, the
#     p50 of a create through nginx less the p50s of the sandbox's add and get asked straight (goal: under 2 ms),
#     and how much of it is the disk's: a create commits twice (the coupon, then the outcome), timed
#     by SQLite alone on the same disk (sqlite-commits.c);
#   - creates per second with the sandbox answering at once, against the worker's creates without WeChat;
#   - creates per second with 200 ms added to each of the sandbox's answers, against what requests in
#     flight allow: max-in-flight / (2 x 200 ms).
#
#   deploy/bench/sync.sh [--rounds N] [--duration SECONDS] [--connections N] [--max-in-flight N] [--latency-ms N]
#                        [--binary PATH]
#
# --binary measures that coupon-admin instead of the release one built here (an earlier build, to compare).
# Prints each round, then the medians.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/wrk.sh"

rounds=3 duration=10 connections=32 max_in_flight=256 latency_ms=200 worker_bin=
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) rounds=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --max-in-flight) max_in_flight=$2; shift 2 ;;
        --latency-ms) latency_ms=$2; shift 2 ;;
        --binary) worker_bin=$2; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) die "unknown option $1" ;;
    esac
done

need_packages nginx libfcgi-dev libsqlite3-dev wrk gcc curl
need_swift
work=$(mktemp -d /tmp/coupon-admin-sync-bench.XXXXXX)
cleanup() {
    [ -f "$work/nginx.pid" ] && kill -TERM "$(cat "$work/nginx.pid")" 2>/dev/null
    kill -TERM "${worker_pid:-}" "${sandbox_pid:-}" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

say "building the worker and the sandbox (release)..."
[ -n "$worker_bin" ] || (cd "$ROOT" && swift build -c release --product coupon-admin >&2)
(cd "$ROOT" && swift build -c release --product wechat-sandbox >&2)
bin=$(cd "$ROOT" && swift build -c release --show-bin-path)
worker_bin=${worker_bin:-$bin/coupon-admin}
[ -x "$worker_bin" ] || die "no coupon-admin binary at $worker_bin"
gcc -O2 -o "$work/sqlite-commits" "$ROOT/deploy/bench/sqlite-commits.c" -lsqlite3

port=$((20000 + RANDOM % 12000))  # below the ephemeral ports (32768 up) that clients take
sandbox=127.0.0.1:$((port + 1))
"$bin/wechat-sandbox" --listen "$sandbox" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
wait_for "curl -fsS http://$sandbox/sandbox/stats" || die "the sandbox is not answering; see $work/sandbox.log"

"$ROOT/deploy/render-nginx.sh" "$work/conf" STATE_DIR="$work" LISTEN="127.0.0.1:$port" PREFIX_LISTEN="127.0.0.1:$((port + 2))" \
    SOCKET="$work/worker.sock" STATIC_ROOT="$ROOT/nginx/static"
sed -i 's/^\(\s*\)access_log .*;/\1access_log off;/' "$work/conf/nginx.conf"
COUPON_ADMIN_WECHAT_API_BASE=http://$sandbox COUPON_ADMIN_WECHAT_APPID=wxsandbox COUPON_ADMIN_WECHAT_SECRET=sandbox-secret \
    "$worker_bin" serve --listen "unix:$work/worker.sock" --database "$work/coupon-admin.sqlite" \
    --max-in-flight "$max_in_flight" 2>"$work/worker.log" &
worker_pid=$!
nginx -e "$work/nginx-error.log" -p "$work" -c "$work/conf/nginx.conf"
wait_for "curl -fsS http://127.0.0.1:$port/healthz" || die "the worker is not answering; see $work/worker.log"
key=$("$worker_bin" keys create --name bench --role editor --database "$work/coupon-admin.sqlite" 2>/dev/null)

faults() { curl -fsS -X POST "http://$sandbox/sandbox/faults" -d "$1" >/dev/null; }
token=$(curl -fsS -X POST "http://$sandbox/cgi-bin/stable_token" \
    -d '{"grant_type":"client_credential","appid":"wxsandbox","secret":"sandbox-secret","force_refresh":false}' |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || die "the sandbox gave no token"
template=$(coupon_template)
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/v1/coupons" \
    -d "$(printf "$template" stored)")
[ "$code" = 201 ] || die "a create with the sandbox answered $code, not 201 synced; see $work/worker.log"

wrk_with() {  # connections port path seconds script [args] -> "rps p50 p99"
    local conns=$1 port=$2 path=$3 seconds=$4 script=$5
    shift 5
    wrk -t1 -c"$conns" -d"${seconds}s" --latency -H "Authorization: Bearer $key" -s "$ROOT/deploy/bench/$script" "http://127.0.0.1:$port$path" -- "$@" | wrk_summary
}

say "warming up..."
wrk_with 4 "$port" /api/v1/coupons 2 create.lua warm 201 >/dev/null

printf '%-6s %-40s %12s %10s %10s\n' round what "requests/s" "p50 ms" "p99 ms"
: >"$work/results"
row() {  # round name rps p50 p99
    printf '%-6s %-40s %12s %10s %10s\n' "$@"
    shift
    echo "$*" >>"$work/results"
}
for round in $(seq "$rounds"); do
    faults '{}'
    read -r rps p50 p99 < <(wrk_with 1 "${sandbox#*:}" / "$duration" sandbox.lua add "sandbox-$round" "$token" "$template")
    row "$round" sandbox-add "$rps" "$p50" "$p99"
    read -r rps p50 p99 < <(wrk_with 1 "${sandbox#*:}" / "$duration" sandbox.lua get stored "$token")
    row "$round" sandbox-get "$rps" "$p50" "$p99"
    read -r rps p50 p99 < <(wrk_with 1 "$port" /api/v1/coupons "$duration" create.lua "one-$round" 201)
    row "$round" create-one "$rps" "$p50" "$p99"
    read -r rps p50 p99 < <(wrk_with "$connections" "$port" /api/v1/coupons "$duration" create.lua "many-$round" 201)
    row "$round" create-many "$rps" "$p50" "$p99"
    faults "{\"latency_ms\":$latency_ms}"
    read -r rps p50 p99 < <(wrk_with "$((max_in_flight * 2))" "$port" /api/v1/coupons "$duration" create.lua "slow-$round" 201)
    row "$round" create-slow "$rps" "$p50" "$p99"
done
faults '{}'

say "SQLite's own commits on this disk..."
"$worker_bin" migrate --database "$work/commits.sqlite" >/dev/null
commit_rate=$("$work/sqlite-commits" "$work/commits.sqlite" "$duration" "$(printf "$template" created-1 | wc -c)")

say "creates without WeChat, for comparison..."
kill -TERM "$worker_pid"
wait "$worker_pid" || true
"$worker_bin" serve --listen "unix:$work/worker.sock" --database "$work/coupon-admin.sqlite" \
    --max-in-flight "$max_in_flight" 2>>"$work/worker.log" &
worker_pid=$!
wait_for "curl -fsS http://127.0.0.1:$port/healthz" || die "the worker without WeChat is not answering; see $work/worker.log"
read -r local_rps local_p50 local_p99 < <(wrk_with "$connections" "$port" /api/v1/coupons "$duration" create.lua local 202)

column() { awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$work/results" | median; }
# Per round: a create's p50 less the sandbox's add and get p50s.
added=$(awk '{ p[$1] = $3 } $1 == "create-one" { printf "%.3f\n", p["create-one"] - p["sandbox-add"] - p["sandbox-get"] }' "$work/results")
bound=$(awk -v n="$max_in_flight" -v l="$latency_ms" 'BEGIN { print n / (2 * l / 1000) }')
printf '\nmedians over %s rounds of %ss:\n' "$rounds" "$duration"
printf '  %-44s p50 %s ms (add) + %s ms (get)\n' "the sandbox asked straight, one connection" "$(column sandbox-add 3)" "$(column sandbox-get 3)"
printf '  %-44s p50 %s ms   p99 %s ms\n' "a create through nginx, one connection" "$(column create-one 3)" "$(column create-one 4)"
printf '  %-44s p50 %.3f ms (rounds: %s), goal under 2 ms;\n  %-44s %.3f ms of it are its two commits (SQLite alone: %.0f commits/s)\n' \
    "what our code adds to a create" "$(median <<<"$added")" "$(tr '\n' ' ' <<<"$added" | sed 's/ $//')" "" \
    "$(awk -v r="$commit_rate" 'BEGIN { print 2000 / r }')" "$commit_rate"
printf '  %-44s %8.0f creates/s   p50 %s ms   p99 %s ms; without WeChat %.0f creates/s (ratio %.2f)\n' \
    "$connections connections, sandbox at once" "$(column create-many 2)" "$(column create-many 3)" "$(column create-many 4)" \
    "$local_rps" "$(awk -v a="$(column create-many 2)" -v b="$local_rps" 'BEGIN { print a / b }')"
printf '  %-44s %8.0f creates/s   p50 %s ms   p99 %s ms; in flight allows %.0f (ratio %.2f)\n' \
    "$((max_in_flight * 2)) connections, sandbox +${latency_ms} ms" "$(column create-slow 2)" "$(column create-slow 3)" "$(column create-slow 4)" \
    "$bound" "$(awk -v a="$(column create-slow 2)" -v b="$bound" 'BEGIN { print a / b }')"
