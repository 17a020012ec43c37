#!/usr/bin/env bash
# Builds CouponAdmin and runs it locally: the worker behind nginx, state under .run/, until Ctrl-C or
# SIGTERM, or until the worker or nginx dies; then it stops everything it started.
# Without COUPON_ADMIN_WECHAT_APPID in the environment, the WeChat sandbox stands in for WeChat.
#
#   deploy/run.sh [--address HOST:PORT] [--state DIR] [--binary PATH]
#
#   --address   where nginx listens (default 127.0.0.1:8080); the stand-in for a merchant's existing
#               site, with CouponAdmin under /coupon-admin/, listens on the next port, the sandbox on the one after
#   --state     folder for sockets, logs and nginx's files (default .run/ in the checkout)
#   --binary    a coupon-admin binary to run instead of building a release one (wechat-sandbox beside it)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

address=127.0.0.1:8080
state=$ROOT/.run
binary=
while [ $# -gt 0 ]; do
    case $1 in
        --address) address=$2; shift 2 ;;
        --state) state=$2; shift 2 ;;
        --binary) binary=$2; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
host=${address%:*}
port=${address##*:}
[[ $port =~ ^[0-9]+$ ]] && [ -n "$host" ] || die "--address must be HOST:PORT, not $address"
prefix_address=$host:$((port + 1))
sandbox_address=127.0.0.1:$((port + 2))

need_packages nginx libfcgi-dev libsqlite3-dev curl
if [ -z "$binary" ]; then
    need_swift
    say "building (release)..."
    (cd "$ROOT" && swift build -c release --product coupon-admin >&2 && swift build -c release --product wechat-sandbox >&2)
    binary=$(cd "$ROOT" && swift build -c release --show-bin-path)/coupon-admin
fi
[ -x "$binary" ] || die "no coupon-admin binary at $binary"
# A checkout's run, whatever an installed service keeps in /etc/coupon-admin: no settings file unless named.
export COUPON_ADMIN_CONFIG=${COUPON_ADMIN_CONFIG:-/dev/null}
sandbox_binary=$(dirname "$binary")/wechat-sandbox

mkdir -p "$state"
state=$(cd "$state" && pwd)
# A previous run that did not get to clean up (killed terminal, kill -9): stop what it left.
stop_pidfile "$state/nginx.pid"
stop_pidfile "$state/worker.pid"
stop_pidfile "$state/sandbox.pid"

"$ROOT/deploy/render-nginx.sh" "$state/conf" STATE_DIR="$state" LISTEN="$address" PREFIX_LISTEN="$prefix_address" \
    SOCKET="$state/worker.sock" STATIC_ROOT="$ROOT/nginx/static"

worker_pid= nginx_pid= sandbox_pid= tail_pid=
# Stops every process this run started, in whatever state each is: one already gone (killed, crashed)
# must not end the clean-up half way, hence no `set -e` here.
stop_all() {
    trap - INT TERM EXIT
    set +e
    say "stopping..."
    local targets=() target
    # nginx has a process group of its own (setsid below): its workers stop too, even with its master killed.
    [ -n "$nginx_pid" ] && targets+=("-$nginx_pid")
    [ -n "$worker_pid" ] && targets+=("$worker_pid")
    [ -n "$sandbox_pid" ] && targets+=("$sandbox_pid")
    for target in "${targets[@]}"; do kill -TERM -- "$target" 2>/dev/null; done
    for target in "${targets[@]}"; do
        wait_for "! kill -0 -- $target" 15 || kill -KILL -- "$target" 2>/dev/null
    done
    [ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
    wait 2>/dev/null
    # The worker is gone: a socket file it left (killed) would pass for a live one at the next start.
    rm -f "$state/worker.pid" "$state/sandbox.pid" "$state/nginx.pid" "$state/worker.sock"
    say "stopped"
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

if [ -n "${COUPON_ADMIN_WECHAT_APPID:-}" ]; then
    wechat="WeChat: ${COUPON_ADMIN_WECHAT_API_BASE:-https://api.weixin.qq.com} as appid $COUPON_ADMIN_WECHAT_APPID"
else
    [ -x "$sandbox_binary" ] || die "no wechat-sandbox binary at $sandbox_binary"
    "$sandbox_binary" --listen "$sandbox_address" >>"$state/sandbox.log" 2>&1 &
    sandbox_pid=$!
    echo "$sandbox_pid" >"$state/sandbox.pid"
    wait_for "curl -fsS http://$sandbox_address/sandbox/stats" || die "the WeChat sandbox did not start; see $state/sandbox.log"
    export COUPON_ADMIN_WECHAT_API_BASE=http://$sandbox_address COUPON_ADMIN_WECHAT_APPID=wxsandbox COUPON_ADMIN_WECHAT_SECRET=sandbox-secret
    unset COUPON_ADMIN_WECHAT_SECRET_FILE
    wechat="WeChat: the local sandbox at http://$sandbox_address/ (faults: POST /sandbox/faults, counts: GET /sandbox/stats)"
fi

# First start: an admin account and an editor API key, each shown once.
database=$state/coupon-admin.sqlite
credentials=
"$binary" migrate --database "$database" >/dev/null  # creates it on the first start; listing never does
if [ -z "$("$binary" users list --database "$database" | tail -n +2)" ]; then
    password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
    printf '%s\n' "$password" | "$binary" users add admin --role admin --database "$database" 2>/dev/null
    credentials+="Admin account (first start, shown once): admin / $password"$'\n'
fi
if [ -z "$("$binary" keys list --database "$database" | tail -n +2)" ]; then
    key=$("$binary" keys create --name local-tools --role editor --database "$database" 2>/dev/null)
    credentials+="Editor API key (first start, shown once): $key"$'\n'
    credentials+="  curl -H 'Authorization: Bearer $key' http://$address/api/v1/coupons"$'\n'
fi
[ -n "$credentials" ] && credentials+="More: coupon-admin users add NAME --role viewer|editor|admin, coupon-admin keys create --name NAME --role ROLE (with --database $database)"$'\n'

"$binary" serve --listen "unix:$state/worker.sock" --database "$database" >>"$state/worker.log" 2>&1 &
worker_pid=$!
echo "$worker_pid" >"$state/worker.pid"
wait_for "[ -S '$state/worker.sock' ] || ! kill -0 $worker_pid" || die "the worker did not start; see $state/worker.log"
kill -0 "$worker_pid" 2>/dev/null || die "the worker did not start: $(tail -n 3 "$state/worker.log")"

setsid nginx -e "$state/nginx-error.log" -p "$state" -c "$state/conf/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
wait_for "curl -fsS http://$address/healthz" || die "nginx did not come up; see $state/nginx-error.log"

tail -n 0 -F --pid=$$ "$state/worker.log" >&2 &
tail_pid=$!
cat <<MESSAGE

CouponAdmin is running. Admin pages: http://$address/admin/  (health: http://$address/healthz)
Mounted in an existing site:  http://$prefix_address/coupon-admin/
$wechat
Logs: $state/worker.log, $state/nginx-error.log, $state/nginx-access.log${sandbox_pid:+, $state/sandbox.log}
${credentials}Press Ctrl-C to stop.

MESSAGE
# Until Ctrl-C, or until either process dies.
wait -n "$worker_pid" "$nginx_pid" || true
say "the worker or nginx exited on its own; see the logs above"
exit 1
