#!/usr/bin/env bash
# Installs what is missing and runs every test: unit, and integration against real nginx and the
# worker binary. One debug build serves them all.
#
#   deploy/test.sh [swift test arguments, e.g. --filter RouterTests]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need_packages nginx libfcgi-dev libsqlite3-dev curl spawn-fcgi systemd openssl
need_swift
cd "$ROOT"
mkdir -p .test-output

say "building (debug, with tests)..."
swift build --build-tests
swift test --skip-build "$@" 2>&1 | tee .test-output/swift-test.log
