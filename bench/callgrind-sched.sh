#!/usr/bin/env bash
# Instructions (callgrind's Ir) per unit of each scheduler implementation: per switch (S1), task
# (S2), hop (S3) or timer event (vtimer, vtimer-1), one process per implementation, counting only
# what runs inside its entry point (`--toggle-collect`): runtime set-up, spawns, joins and the
# runtime's teardown inside that function are counted, process start-up is not.
# Instruction counts do not depend on the machine's load; they do not show cache misses either,
# which dominate the wall time of the 100,000-task workloads (see README.md).
#
# Usage: ./callgrind-sched.sh [WORKLOAD...]   (default: S1 S2 S3 vtimer vtimer-1; S4 and S5 are
#                                             not times per unit)
#        SIZE_DIVISOR=1 ./callgrind-sched.sh  full sizes (default: a tenth, about 10x faster)
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release -j1 --bin sched_table
bin=target/release/sched_table
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
divisor=${SIZE_DIVISOR:-10}
if [ $# -eq 0 ]; then
    set -- S1 S2 S3 vtimer vtimer-1
fi
echo "| workload | runtime | Ir/unit | ratio to tokio current_thread |"
echo "|---|---|---:|---:|"
for w in "$@"; do
    : >"$out/rows"
    while read -r _ imp symbol size; do
        size=$((size / divisor))
        valgrind --tool=callgrind --callgrind-out-file="$out/cg" --collect-atstart=no \
            --toggle-collect="$symbol" "$bin" --once "$w" "$imp" "$size" \
            >"$out/stdout" 2>"$out/stderr" || {
            cat "$out/stderr" >&2
            exit 1
        }
        units=$(sed -n 's/.*, units \([0-9-]*\)$/\1/p' "$out/stdout")
        if [ "$units" = "-" ] || [ -z "$units" ]; then
            echo "error: $w has no unit to count instructions by" >&2
            exit 1
        fi
        ir=$(awk '/^totals:/ { print $2 }' "$out/cg")
        awk -v imp="$imp" -v ir="$ir" -v n="$units" 'BEGIN { printf "%s %.1f\n", imp, ir / n }' \
            >>"$out/rows"
    done < <("$bin" --list | awk -v w="$w" '$1 == w')
    # `--once` checked each run's work already (it exits non-zero on a wrong count).
    awk -v w="$w" '
        { imp[NR] = $1; ir[NR] = $2; if ($1 == "tokio") t = $2 }
        END {
            for (i = 1; i <= NR; i++) {
                ratio = t ? sprintf("%.2fx", ir[i] / t) : "–"
                printf "| %s | %s | %.1f | %s |\n", w, imp[i], ir[i], ratio
            }
        }' "$out/rows"
done
