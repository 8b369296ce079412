#!/usr/bin/env bash
# Runs each fuzz target of the downloader for a fixed time, one after the other, each as one
# process (the machine has 2 cores): `downloader/fuzz/run.sh [SECONDS] [TARGET...]`.
#
# Not part of CI. Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# The corpus grows in corpus/TARGET (not committed), starting from the committed seeds/TARGET;
# a crash is written to artifacts/TARGET/ and stops that target's run (the script goes on
# with the next, and exits non-zero at the end). Reproduce one with
# `cargo +nightly fuzz run TARGET artifacts/TARGET/crash-…`, then make it a named test in
# tests/properties/.
set -u
cd "$(dirname "$0")"

seconds=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(url_parse http_reader)
fi

export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}
cargo +nightly fuzz build || exit 2

failed=()
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    # Inputs long enough to reach the URL length limit (MAX_URL_LEN, 8 KiB); the reader's
    # limits are reached with its small ones, within libFuzzer's default 4 KiB.
    case $target in
        url_parse) max_len=9000 ;;
        *) max_len=4096 ;;
    esac
    echo "== $target: ${seconds}s"
    if ! cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1; then
        failed+=("$target")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "== crashed: ${failed[*]} (see artifacts/)"
    exit 1
fi
echo "== no crash in ${targets[*]}"
