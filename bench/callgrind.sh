#!/usr/bin/env bash
# Instructions per item (callgrind's Ir) of each workload's entry point, one process per
# implementation: `--toggle-collect` counts only what runs inside that function (callees
# included), so process start-up, the tree's construction and the other workloads are left out.
# Instruction counts do not depend on the machine's load: the same build gives the same figures.
#
# Usage: ./callgrind.sh [WORKLOAD...]   (default: every workload, as `table --list` prints them)
#        ITEMS_DIVISOR=10 ./callgrind.sh  runs every implementation on 1/10 of its items (faster;
#                                         per-item figures barely move: set-up is amortised less)
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release -j1 --bin table
bin=target/release/table
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
divisor=${ITEMS_DIVISOR:-1}
nm -C "$bin" | awk '$2 == "T" || $2 == "t"' >"$out/nm"

if [ $# -eq 0 ]; then
    set -- $("$bin" --list | awk '!seen[$1]++ { print $1 }')
fi
echo "| workload | implementation | Ir/item | ratio to hand-written |"
echo "|---|---|---:|---:|"
for w in "$@"; do
    base_per_item=""
    base_items=""
    base_result=""
    while read -r _ imp symbol items; do
        items=$((items / divisor))
        # LLVM merges functions whose machine code is identical (e.g. diapause's `send` and the
        # hand-written one), and callgrind then knows the code by one of the names only: toggle
        # on every name at the entry point's address.
        toggles=()
        addr=$(awk -v s="$symbol" '$3 == s { print $1; exit }' "$out/nm")
        while read -r alias; do
            toggles+=("--toggle-collect=$alias")
        done < <(awk -v a="$addr" '$1 == a { print $3 }' "$out/nm")
        valgrind --tool=callgrind --callgrind-out-file="$out/cg" --collect-atstart=no \
            "${toggles[@]}" "$bin" --callgrind "$w" "$imp" "$items" \
            >"$out/stdout" 2>"$out/stderr" || {
            cat "$out/stderr" >&2
            exit 1
        }
        ir=$(awk '/^totals:/ { print $2 }' "$out/cg")
        result=$(awk '{ print $NF }' "$out/stdout")
        # What really ran: the table binary rounds the tree to whole traversals.
        items=$(awk '{ print $2 }' "$out/stdout")
        per_item=$(awk -v ir="$ir" -v n="$items" 'BEGIN { printf "%.4f", ir / n }')
        if [ -z "$base_per_item" ]; then
            base_per_item=$per_item
            base_items=$items
            base_result=$result
        elif [ "$items" = "$base_items" ] && [ "$result" != "$base_result" ]; then
            # Implementations that run fewer items (see `Impl::divisor`) fold a different
            # result; `cargo test --release` checks them against the baseline at equal sizes.
            echo "error: $w/$imp returned $result, hand-written $base_result" >&2
            exit 1
        fi
        awk -v w="$w" -v imp="$imp" -v p="$per_item" -v b="$base_per_item" \
            'BEGIN { printf "| %s | %s | %.2f | %.2fx |\n", w, imp, p, p / b }'
    done < <("$bin" --list | awk -v w="$w" '$1 == w')
done
