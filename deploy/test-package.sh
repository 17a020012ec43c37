#!/usr/bin/env bash
# The Debian package as an operator meets it, run by deploy/test.sh as root on the test machine:
# built from the test build's binary, its control fields and contents checked, lintian, installed with
# apt, the units verified, the worker started exactly as the installed unit says (its ExecStart, user,
# environment and settings file, on the socket the socket unit describes) behind nginx with the installed
# templates, the command line used as an operator would, then removed (data kept) and purged (nothing
# left but the system user, which Debian keeps).
#
#   deploy/test-package.sh BIN_DIR   (coupon-admin linked with the Swift runtime inside, wechat-sandbox beside it)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
bin=$(cd "$1" && pwd)
[ "$(id -u)" -eq 0 ] || die "the package test installs a package: run it as root"
if dpkg-query -W -f='${Status}' coupon-admin 2>/dev/null | grep -q installed; then
    die "coupon-admin is installed on this machine; the package test would purge it and its data (apt purge coupon-admin first)"
fi
need_packages lintian dpkg-dev binutils nginx curl spawn-fcgi systemd sqlite3
# The commands below read the installed settings file, as on a server.
unset COUPON_ADMIN_CONFIG

work=$(mktemp -d /tmp/ca-package-XXXXXX)
chmod 0755 "$work"
log=$ROOT/.test-output/package
rm -rf "$log" && mkdir -p "$log"
failures=0
check() {  # description, command...
    local what=$1; shift
    if "$@" >>"$log/checks.log" 2>&1; then
        say "  ok: $what"
    else
        say "  FAILED: $what"
        failures=$((failures + 1))
    fi
}

stop_everything() {
    set +e
    stop_pidfile "$work/worker.pid"
    [ -f "$work/nginx/nginx.pid" ] && stop_pidfile "$work/nginx/nginx.pid"
    stop_pidfile "$work/sandbox.pid"
    if dpkg-query -W -f='${Status}' coupon-admin 2>/dev/null | grep -q installed; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq coupon-admin >>"$log/apt.log" 2>&1
    fi
    rm -rf "$work"
}
trap stop_everything EXIT

say "package: building from $bin/coupon-admin"
deb=$("$ROOT/deploy/package.sh" --binary "$bin/coupon-admin" --out "$work/out" 2>"$log/package.log" | tail -n 1)
version=$("$bin/coupon-admin" --version)
field() { dpkg-deb -f "$deb" "$1"; }
check "named coupon-admin_${version}_amd64.deb" test "$(basename "$deb")" = "coupon-admin_${version}_amd64.deb"
check "Version is the binary's --version" test "$(field Version)" = "$version"
check "Depends names libfcgi and SQLite, read from the binary" bash -c "grep -q 'libfcgi0ldbl (>=' <<<'$(field Depends)' && grep -q 'libsqlite3-0 (>=' <<<'$(field Depends)'"
check "Depends names nothing of Swift's" bash -c "! grep -qi swift <<<'$(field Depends)'"
dpkg-deb -c "$deb" | awk '{print $1, $2, $6}' >"$log/contents.txt"
for path in ./usr/bin/coupon-admin ./usr/lib/systemd/system/coupon-admin.service ./usr/lib/systemd/system/coupon-admin.socket \
    ./usr/lib/systemd/system/coupon-admin-backup.service ./usr/lib/systemd/system/coupon-admin-backup.timer \
    ./usr/share/coupon-admin/render-nginx.sh ./usr/share/coupon-admin/nginx/coupon-admin.conf.in \
    ./usr/share/coupon-admin/nginx/coupon-admin-prefix.conf.in ./usr/share/coupon-admin/static/admin.css \
    ./usr/share/doc/coupon-admin/copyright ./usr/share/doc/coupon-admin/changelog.gz; do
    check "holds $path" grep -q " $path\$" "$log/contents.txt"
done
check "the settings file is 0640" grep -q '^-rw-r----- root/root ./etc/coupon-admin/coupon-admin.env$' "$log/contents.txt"
check "the settings file is a conffile" bash -c "dpkg-deb --ctrl-tarfile '$deb' | tar -xO ./conffiles | grep -qx /etc/coupon-admin/coupon-admin.env"
check "the binary needs no Swift library" bash -c "dpkg-deb --fsys-tarfile '$deb' | tar -xO ./usr/bin/coupon-admin >'$work/installed-binary' && ! objdump -p '$work/installed-binary' | grep -q 'NEEDED.*swift'"
check "lintian finds nothing (overrides carry their reasons)" lintian --fail-on error,warning,info,pedantic --pedantic "$deb"

say "package: apt install"
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$log/apt.log" 2>&1; then
    cat "$log/apt.log" >&2
    die "apt install of the package failed"
fi
check "coupon-admin --version on PATH" test "$(coupon-admin --version)" = "$version"
check "the system user and group exist" bash -c 'getent passwd coupon-admin && getent group coupon-admin && [ "$(getent passwd coupon-admin | cut -d: -f7)" = /usr/sbin/nologin ]'
check "/var/lib/coupon-admin is the service's, 0750" test "$(stat -c '%U:%G %a' /var/lib/coupon-admin)" = "coupon-admin:coupon-admin 750"
check "the settings file is root:coupon-admin 0640" test "$(stat -c '%U:%G %a' /etc/coupon-admin/coupon-admin.env)" = "root:coupon-admin 640"
check "the socket and the backup timer are enabled" test -L /etc/systemd/system/sockets.target.wants/coupon-admin.socket -a \
    -L /etc/systemd/system/timers.target.wants/coupon-admin-backup.timer
check "systemd-analyze verify passes the installed units" bash -c \
    'out=$(systemd-analyze verify /usr/lib/systemd/system/coupon-admin.socket /usr/lib/systemd/system/coupon-admin.service /usr/lib/systemd/system/coupon-admin-backup.service /usr/lib/systemd/system/coupon-admin-backup.timer 2>&1); echo "$out"; [ -z "$out" ]'

# The operator's one edit: WeChat (the sandbox here, on loopback), as lines added to the settings file.
ports=$(python3 -c 'import socket
for _ in range(3):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' | tr '\n' ' ')
read -r site_port prefix_port sandbox_port <<<"$ports"
"$bin/wechat-sandbox" --listen "127.0.0.1:$sandbox_port" >"$log/sandbox.log" 2>&1 &
echo $! >"$work/sandbox.pid"
wait_for "curl -fsS http://127.0.0.1:$sandbox_port/sandbox/stats" || die "the sandbox did not start"
cat >>/etc/coupon-admin/coupon-admin.env <<SETTINGS
COUPON_ADMIN_WECHAT_API_BASE=http://127.0.0.1:$sandbox_port
COUPON_ADMIN_WECHAT_APPID=wxsandbox
COUPON_ADMIN_WECHAT_SECRET=sandbox-secret
SETTINGS

# The worker as systemd would start it: the unit's user, group, Environment= and EnvironmentFile=, its
# ExecStart, and the listening socket the socket unit describes on fd 0 (spawn-fcgi makes it).
unit_value() { sed -n "s/^$2=//p" "/usr/lib/systemd/system/$1"; }
install -m 0640 -o coupon-admin /dev/null "$work/worker.log"
exec_start=$(unit_value coupon-admin.service ExecStart)
socket_path=$(unit_value coupon-admin.socket ListenStream)
install -d -m "$(unit_value coupon-admin.socket DirectoryMode)" "$(dirname "$socket_path")"
mapfile -t unit_environment < <(unit_value coupon-admin.service Environment)
(
    set -a
    # shellcheck disable=SC1090
    . "$(unit_value coupon-admin.service EnvironmentFile)"
    set +a
    exec env -u COUPON_ADMIN_CONFIG "${unit_environment[@]}" spawn-fcgi -s "$socket_path" -M "$(unit_value coupon-admin.socket SocketMode)" \
        -U "$(unit_value coupon-admin.socket SocketUser)" -G "$(unit_value coupon-admin.socket SocketGroup)" \
        -u "$(unit_value coupon-admin.service User)" -g "$(unit_value coupon-admin.service Group)" -P "$work/worker.pid" \
        -- /bin/sh -c "exec $exec_start >>'$work/worker.log' 2>&1"
) >"$log/spawn-fcgi.log" 2>&1 || { cat "$log/spawn-fcgi.log" >&2; die "spawn-fcgi could not start the worker"; }

/usr/share/coupon-admin/render-nginx.sh "$work/nginx" STATE_DIR="$work/nginx" LISTEN="127.0.0.1:$site_port" \
    PREFIX_LISTEN="127.0.0.1:$prefix_port" USER="www-data www-data" >"$log/render.log" 2>&1
chmod 0755 "$work/nginx"
nginx -e "$work/nginx/nginx-error.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" >"$log/nginx.log" 2>&1 ||
    { cat "$log/nginx.log" >&2; die "nginx did not start"; }
site=http://127.0.0.1:$site_port
if ! wait_for "curl -fsS $site/healthz" 30; then
    cat "$work/worker.log" "$work/nginx/nginx-error.log" >&2 || true
    die "the installed worker did not answer through nginx"
fi

say "package: the installed worker through nginx, and the command line as root"
check "the worker runs as coupon-admin" test "$(stat -c %U "/proc/$(cat "$work/worker.pid")")" = coupon-admin
check "the database is in /var/lib/coupon-admin, the service's" test "$(stat -c %U /var/lib/coupon-admin/coupon-admin.sqlite)" = coupon-admin
key=$(coupon-admin keys create --name package-test --role editor 2>>"$log/checks.log")
check "keys create, as root with nothing exported, made a key in the service's database" grep -q '^cak_' <<<"$key"
check "nothing in /var/lib/coupon-admin is root's" bash -c '[ -z "$(find /var/lib/coupon-admin -user root)" ]'
coupon='{"coupon":{"out_coupon_id":"package-test-1","type":104,"promote_type":4,"coupon_info":{"name":"package test","promote_info":{"promote_type":4,"finder":{"nickname":"live"}},"discount_info":{"discount_fee":500},"receive_info":{"start_time":1800000000,"end_time":1800086400,"limit_num_one_person":1,"total_num":100},"valid_info":{"valid_type":2,"valid_day_num":7}}}}'
created=$(curl -sS -o "$work/created.json" -w '%{http_code}' -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    --data "$coupon" "$site/api/v1/coupons")
check "a create through nginx reached the sandbox (201)" test "$created" = 201
check "/metrics counts that create's call to WeChat" bash -c \
    "curl -fsS '$site/metrics' | grep -qF 'coupon_admin_wechat_call_duration_seconds_count{endpoint=\"/shop/coupon/add\",errcode=\"0\"} 1'"
check "coupon-admin status says all is well" bash -c 'coupon-admin status | grep -qx "state: ok"'
check "the admin stylesheet is served from /usr/share/coupon-admin/static" \
    curl -fsS -o /dev/null "$site/static/v$version/admin.css"
check "the prefix snippet mounts it in an existing site" curl -fsS -o /dev/null "http://127.0.0.1:$prefix_port/coupon-admin/healthz"
check "coupon-admin backup writes into /var/lib/coupon-admin/backups as coupon-admin" bash -c \
    'coupon-admin backup && [ "$(stat -c %U /var/lib/coupon-admin/backups/coupon-admin-*.sqlite)" = coupon-admin ]'
check "coupon-admin check passes" coupon-admin check
check "the backup unit's command runs as its user" runuser -u coupon-admin -- "$(unit_value coupon-admin-backup.service ExecStart | cut -d' ' -f1)" check

stop_pidfile "$work/worker.pid"
stop_pidfile "$work/nginx/nginx.pid"
check "the worker logged no error" bash -c "! grep -E 'level=(error|critical)' '$work/worker.log'"

say "package: apt remove keeps the data, apt purge deletes it"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq coupon-admin >"$log/remove.log" 2>&1
check "remove says where the data stays" grep -q "apt purge coupon-admin' deletes them" "$log/remove.log"
check "remove kept the database and the settings" test -f /var/lib/coupon-admin/coupon-admin.sqlite -a -f /etc/coupon-admin/coupon-admin.env
check "remove took the binary" test ! -e /usr/bin/coupon-admin
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq coupon-admin >"$log/purge.log" 2>&1
check "purge says what it deletes" grep -q "deleting /var/lib/coupon-admin" "$log/purge.log"
for path in /usr/bin/coupon-admin /etc/coupon-admin /var/lib/coupon-admin /usr/share/coupon-admin /usr/share/doc/coupon-admin \
    /usr/lib/systemd/system/coupon-admin.service /run/coupon-admin; do
    check "purge left no $path" test ! -e "$path"
done
check "purge left nothing of it under /etc/systemd" bash -c '[ -z "$(find /etc/systemd -name "*coupon-admin*")" ]'
check "the package is gone from dpkg" bash -c "! dpkg-query -W -f='\${Status}' coupon-admin 2>/dev/null | grep -q installed"
check "the system user stays, as Debian keeps them" getent passwd coupon-admin

[ "$failures" -eq 0 ] || die "$failures package checks failed (details: .test-output/package/)"
say "package: every check passed"
