#!/usr/bin/env bash
# Installs what is missing and runs every test: unit, integration against real nginx and the worker
# binary (schemathesis among them), the admin pages in headless Chromium through Selenium, and the
# Debian package, installed and purged for real (deploy/test-package.sh, root only, full runs only).
# One debug build serves them all; its coupon-admin carries the Swift runtime inside, as the package's
# does. Browser screenshots land in .test-output/browser/, the package test's logs in .test-output/package/.
#
#   deploy/test.sh [swift test arguments, e.g. --filter RouterTests]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need_packages nginx libfcgi-dev libsqlite3-dev sqlite3 curl spawn-fcgi systemd openssl python3-venv postgresql \
    chromium chromium-driver python3-selenium fonts-noto-cjk dpkg-dev binutils lintian
need_swift
cd "$ROOT"
# The tests give every setting themselves: a settings file of an installed service is not theirs to read.
export COUPON_ADMIN_CONFIG=/dev/null
mkdir -p .test-output

# schemathesis (PyPI) for the API test, in a venv kept between runs; installed while Swift builds.
schemathesis_version=4.32.5
venv="${XDG_CACHE_HOME:-$HOME/.cache}/coupon-admin/schemathesis-$schemathesis_version"
export COUPON_ADMIN_SCHEMATHESIS="$venv/bin/st"
if [ ! -x "$COUPON_ADMIN_SCHEMATHESIS" ]; then
    say "installing schemathesis $schemathesis_version into $venv..."
    (rm -rf "$venv" && /usr/bin/python3 -m venv "$venv" && "$venv/bin/pip" install -q "schemathesis==$schemathesis_version") \
        >.test-output/schemathesis-install.log 2>&1 &
    installing=$!
fi

say "building (debug, with tests)..."
swift build --build-tests
# The same binary relinked with the Swift runtime inside (seconds): the tests run what the package ships.
swift build --product coupon-admin "${STATIC_SWIFT_BUILD_ARGS[@]}"
if [ -n "${installing:-}" ]; then
    wait "$installing" || die "installing schemathesis failed; see .test-output/schemathesis-install.log"
fi
swift test --skip-build "$@" 2>&1 | tee .test-output/swift-test.log
if [ $# -eq 0 ]; then
    "$ROOT/deploy/test-package.sh" "$(swift build --show-bin-path)"
fi
