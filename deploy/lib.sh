# Shared by deploy/run.sh, deploy/test.sh and deploy/bench/bench.sh: source it, don't run it.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Installs the Debian packages that are not installed yet (as root; apt-get update first).
need_packages() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]} (run as root, or apt-get install them)"
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Puts the Swift 6 toolchain on PATH; Debian does not package it.
need_swift() {
    command -v swift >/dev/null 2>&1 && return 0
    local bin
    for bin in /opt/swift/usr/bin /usr/share/swift/usr/bin /usr/local/swift/usr/bin; do
        [ -x "$bin/swift" ] && { PATH="$bin:$PATH"; export PATH; return 0; }
    done
    die "no Swift toolchain found: install Swift 6 from swift.org (for example into /opt/swift) and run this again"
}

# Waits up to $2 seconds (default 20) for the command in $1 to succeed.
wait_for() {
    local deadline=$((SECONDS + ${2:-20}))
    until eval "$1" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.1
    done
}

# Stops the process whose pid is in file $1, if it is still running.
stop_pidfile() {
    local pid
    [ -f "$1" ] || return 0
    pid=$(cat "$1")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        wait_for "! kill -0 $pid" 15 || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$1"
}

# swift build arguments that link coupon-admin with the Swift runtime inside it, so a server needs only
# Debian's libraries. Swift 6.3's --static-swift-stdlib leaves Foundation's own static libraries off the
# link line (swiftlang/swift-package-manager#10564), so they are named here; --disable-local-rpath drops
# the $ORIGIN search path the binary has no use for once nothing of Swift's is beside it.
STATIC_SWIFT_BUILD_ARGS=(--static-swift-stdlib --disable-local-rpath)
for library in Foundation CoreFoundation FoundationInternationalization _FoundationICU FoundationEssentials \
    _FoundationCShims _FoundationCollections swiftSynchronization; do
    STATIC_SWIFT_BUILD_ARGS+=(-Xlinker "-l$library")
done
unset library
