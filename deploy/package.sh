#!/usr/bin/env bash
# Builds the Debian package, coupon-admin_VERSION_amd64.deb, with dpkg-deb alone.
#
#   deploy/package.sh [--binary PATH] [--out DIR]
#
#   --binary   a coupon-admin binary linked with the Swift runtime inside it (STATIC_SWIFT_BUILD_ARGS in
#              lib.sh) to package instead of building a release one; deploy/test.sh passes its own build's
#   --out      where the .deb goes (default .build/package/)
#   --maintainer "NAME <ADDRESS>"   who answers for the package (default: $maintainer below)
#
# The version is the binary's own (`coupon-admin --version`, from Sources/Web/Version.swift). Depends: is
# read from the binary by dpkg-shlibdeps: the Debian libraries it links, with the versions its symbols need.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

binary=
out=$ROOT/.build/package
maintainer="CouponAdmin maintainers <coupon-admin@example.com>"
while [ $# -gt 0 ]; do
    case $1 in
        --binary) binary=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --maintainer) maintainer=$2; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

need_packages dpkg-dev binutils
if [ -z "$binary" ]; then
    need_packages libfcgi-dev libsqlite3-dev
    need_swift
    say "building (release, with the Swift runtime inside)..."
    (cd "$ROOT" && swift build -c release --product coupon-admin "${STATIC_SWIFT_BUILD_ARGS[@]}" >&2)
    binary=$(cd "$ROOT" && swift build -c release --show-bin-path)/coupon-admin
fi
[ -x "$binary" ] || die "no coupon-admin binary at $binary"
if objdump -p "$binary" | grep -q 'NEEDED.*libswift'; then
    die "$binary links the Swift runtime dynamically; build it with: swift build ${STATIC_SWIFT_BUILD_ARGS[*]}"
fi
version=$("$binary" --version)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "$binary --version printed '$version', not a version"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree=$work/tree
debian=$ROOT/deploy/debian

install -d -m 0755 "$tree/DEBIAN" "$tree/usr/bin" "$tree/usr/lib/systemd/system" "$tree/etc/coupon-admin" \
    "$tree/usr/share/coupon-admin/nginx" "$tree/usr/share/doc/coupon-admin" "$tree/usr/share/lintian/overrides"
# Stripped as Debian ships binaries: the debug build's symbols alone are most of its size.
objcopy --strip-debug --strip-unneeded --remove-section=.comment --remove-section=.note "$binary" "$tree/usr/bin/coupon-admin"
chmod 0755 "$tree/usr/bin/coupon-admin"
install -m 0644 "$ROOT"/deploy/systemd/coupon-admin{.socket,.service,-backup.service,-backup.timer} "$tree/usr/lib/systemd/system/"
install -m 0640 "$ROOT/deploy/coupon-admin.env.example" "$tree/etc/coupon-admin/coupon-admin.env"
cp -r "$ROOT/nginx/static" "$tree/usr/share/coupon-admin/static"
find "$tree/usr/share/coupon-admin/static" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
install -m 0644 "$ROOT"/nginx/*.conf.in "$tree/usr/share/coupon-admin/nginx/"
sed '1s|^#!/usr/bin/env bash$|#!/bin/bash|' "$ROOT/deploy/render-nginx.sh" >"$tree/usr/share/coupon-admin/render-nginx.sh"
chmod 0755 "$tree/usr/share/coupon-admin/render-nginx.sh"
install -m 0644 "$debian/copyright" "$tree/usr/share/doc/coupon-admin/copyright"
# A native package's changelog: this version, pointing at the history it was built from.
printf 'coupon-admin (%s) stable; urgency=medium\n\n  * Version %s; the changes are in the source history (git log).\n\n -- %s  %s\n' \
    "$version" "$version" "$maintainer" "$(date -R)" | gzip -9n >"$tree/usr/share/doc/coupon-admin/changelog.gz"
chmod 0644 "$tree/usr/share/doc/coupon-admin/changelog.gz"
install -m 0644 "$debian/lintian-overrides" "$tree/usr/share/lintian/overrides/coupon-admin"
install -m 0755 "$debian/postinst" "$debian/prerm" "$debian/postrm" "$tree/DEBIAN/"
install -m 0644 "$debian/conffiles" "$tree/DEBIAN/"

# dpkg-shlibdeps reads debian/control for the package's name and looks for the binary inside its tree.
mkdir -p "$work/debian"
printf 'Source: coupon-admin\n\nPackage: coupon-admin\nArchitecture: amd64\n' >"$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O -e tree/usr/bin/coupon-admin 2>"$work/shlibdeps.log") ||
    { cat "$work/shlibdeps.log" >&2; die "dpkg-shlibdeps failed"; }
depends=${shlibs#shlibs:Depends=}
[ -n "$depends" ] && [ "$depends" != "$shlibs" ] || die "dpkg-shlibdeps found no libraries: $shlibs"
size=$(du -sk --exclude=DEBIAN "$tree" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@DEPENDS@/$depends/" -e "s/@INSTALLED_SIZE@/$size/" -e "s|@MAINTAINER@|$maintainer|" "$debian/control" >"$tree/DEBIAN/control"
(cd "$tree" && find usr etc -type f -print0 | sort -z | xargs -0 md5sum) >"$tree/DEBIAN/md5sums"
chmod 0644 "$tree/DEBIAN/md5sums" "$tree/DEBIAN/control"

mkdir -p "$out"
deb=$(cd "$out" && pwd)/coupon-admin_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$tree" "$deb" >/dev/null
say "built $deb"
printf '%s\n' "$deb"
