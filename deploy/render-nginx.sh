#!/usr/bin/env bash
# Renders the nginx templates (nginx/*.conf.in) into OUTDIR, for production and for local runs alike.
#
#   render-nginx.sh OUTDIR [NAME=VALUE ...]   (deploy/ in a checkout, /usr/share/coupon-admin/ installed)
#
# Values (defaults are production's):
#   SERVER_NAME=_  LISTEN=80  SOCKET=/run/coupon-admin/worker.sock  MAX_BODY_BYTES=1048576
#   STATIC_ROOT=/usr/share/coupon-admin/static  PREFIX=/coupon-admin
#   TLS_CERT=, TLS_KEY=     both set: listen with TLS and send HSTS
#   RATE_LIMIT_ZONE=        set: limit_req with that zone on every request to the worker (burst 20, then
#                           429 problem+json); the zone itself is the site's, declared at http level
#   METRICS_ALLOW="127.0.0.1 ::1"   the addresses or CIDR ranges that may read /metrics (none: empty)
#   STATE_DIR=              set: also render nginx.conf, a whole local nginx keeping its files there
#                           (with PREFIX_LISTEN, USER, NGINX_WORKERS)
# A placeholder left without a value is an error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# The templates: nginx/ beside this script where the package installs it (/usr/share/coupon-admin/),
# ../nginx/ in a checkout (deploy/).
templates="$here/nginx"
[ -d "$templates" ] || templates="$here/../nginx"
[ $# -ge 1 ] || { sed -n '2,16p' "$0" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
shift

declare -A value=(
    [SERVER_NAME]=_ [LISTEN]=80 [SOCKET]=/run/coupon-admin/worker.sock [MAX_BODY_BYTES]=1048576
    [STATIC_ROOT]=/usr/share/coupon-admin/static [PREFIX]=/coupon-admin [TLS_CERT]= [TLS_KEY]= [RATE_LIMIT_ZONE]=
    [STATE_DIR]= [PREFIX_LISTEN]=127.0.0.1:8081 [USER]="$(id -un) $(id -gn)" [NGINX_WORKERS]=1
    [METRICS_ALLOW]="127.0.0.1 ::1" [FASTCGI_PARAMS]=/etc/nginx/fastcgi_params [MIME_TYPES]=/etc/nginx/mime.types [CONF_DIR]="$out"
)
for pair in "$@"; do
    name=${pair%%=*}
    [ -n "${value[$name]+set}" ] || { echo "render-nginx.sh: unknown name '$name'" >&2; exit 2; }
    value[$name]=${pair#*=}
done
if { [ -n "${value[TLS_CERT]}" ] && [ -z "${value[TLS_KEY]}" ]; } || { [ -z "${value[TLS_CERT]}" ] && [ -n "${value[TLS_KEY]}" ]; }; then
    echo "render-nginx.sh: TLS_CERT and TLS_KEY go together" >&2
    exit 2
fi
allow_lines=
for address in ${value[METRICS_ALLOW]}; do
    [[ $address =~ ^[0-9A-Fa-f.:]+(/[0-9]+)?$ ]] || { echo "render-nginx.sh: METRICS_ALLOW: '$address' is not an address or a CIDR range" >&2; exit 2; }
    allow_lines+="allow $address; "
done
value[METRICS_ALLOW]=${allow_lines:-"# METRICS_ALLOW is empty: nobody"}
value[PREFIX]=${value[PREFIX]%/}
case "${value[PREFIX]}" in /?*) ;; *) echo "render-nginx.sh: PREFIX must start with / and not be / alone" >&2; exit 2 ;; esac

render() {  # template -> output file
    local text
    text=$(<"$templates/$1")
    if [ -n "${value[TLS_CERT]}" ]; then
        text=$(sed -e '/^#plain /d' -e 's/^#tls //' <<<"$text")
    else
        text=$(sed -e '/^#tls /d' -e 's/^#plain //' <<<"$text")
    fi
    if [ -n "${value[RATE_LIMIT_ZONE]}" ]; then
        text=$(sed -e 's/^#limit //' <<<"$text")
    else
        text=$(sed -e '/^#limit /d' <<<"$text")
    fi
    for name in "${!value[@]}"; do
        text=${text//@$name@/${value[$name]}}
    done
    if grep -o '@[A-Z_]*@' <<<"$text" | grep -q .; then
        echo "render-nginx.sh: $1 has placeholders without a value: $(grep -o '@[A-Z_]*@' <<<"$text" | sort -u | tr '\n' ' ')" >&2
        exit 2
    fi
    printf '%s\n' "$text" >"$out/$2"
}

for name in coupon-admin coupon-admin-prefix coupon-admin-fastcgi coupon-admin-headers coupon-admin-errors; do
    render "$name.conf.in" "$name.conf"
done
if [ -n "${value[STATE_DIR]}" ]; then
    mkdir -p "${value[STATE_DIR]}/nginx-temp"
    render local-nginx.conf.in nginx.conf
fi
