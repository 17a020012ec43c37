# wrk helpers shared by the benchmarks: source it, don't run it.

# wrk's latency lines read "50%  1.23ms"; in milliseconds.
to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.3f", v }'; }

# wrk's report on stdin -> "requests/s p50-ms p99-ms"; dies on non-2xx answers or socket errors.
wrk_summary() {
    local out
    out=$(cat)
    grep -q "Non-2xx" <<<"$out" && die "non-2xx answers during the run: $out"
    grep -q "Socket errors" <<<"$out" && die "socket errors during the run: $out"
    printf '%s %s %s\n' "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
        "$(awk '$1 == "50%" {print $2}' <<<"$out" | to_ms)" "$(awk '$1 == "99%" {print $2}' <<<"$out" | to_ms)"
}

# Numbers on stdin, one a line -> their median.
median() { sort -g | awk '{ v[NR]=$1 } END { print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'; }

# The coupon body create.lua sends, as a printf format with %s for the out_coupon_id.
coupon_template() {
    sed -n "s/^local template = '\(.*\)'$/\1/p; s/^    \.\. '\(.*\)'$/\1/p" "$(dirname "${BASH_SOURCE[0]}")/create.lua" | tr -d '\n'
}
