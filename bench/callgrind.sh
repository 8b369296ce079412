#!/usr/bin/env bash
# Instructions per item (callgrind's Ir) of each workload's entry point, one process per
# implementation: `--toggle-collect` counts only what runs inside that function (callees
# included), so process start-up and the other workloads are left out.
#
# Usage: ./callgrind.sh [WORKLOAD...]   (default: fib send create)
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release -j1 --bin table
bin=target/release/table
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if [ $# -eq 0 ]; then
    set -- fib send create
fi
echo "| workload | implementation | Ir/item | ratio to hand-written |"
echo "|---|---|---:|---:|"
for w in "$@"; do
    base_ir=""
    base_result=""
    while read -r _ imp symbol items; do
        valgrind --tool=callgrind --callgrind-out-file="$out/cg" --collect-atstart=no \
            --toggle-collect="$symbol" "$bin" --callgrind "$w" "$imp" >"$out/stdout" 2>"$out/stderr"
        ir=$(awk '/^totals:/ { print $2 }' "$out/cg")
        result=$(awk '{ print $NF }' "$out/stdout")
        if [ -z "$base_ir" ]; then
            base_ir=$ir
            base_result=$result
        elif [ "$result" != "$base_result" ]; then
            echo "error: $w/$imp returned $result, hand-written $base_result" >&2
            exit 1
        fi
        awk -v w="$w" -v imp="$imp" -v ir="$ir" -v n="$items" -v b="$base_ir" \
            'BEGIN { printf "| %s | %s | %.2f | %.2fx |\n", w, imp, ir / n, ir / b }'
    done < <("$bin" --list | awk -v w="$w" '$1 == w')
done
