#!/usr/bin/env bash
# The LSP check of lsp/README.md: installs rust-analyzer with rustup, opens lsp/fixture in it, and
# asks for completion, hover, definitions and diagnostics at the fixture's markers, finished and
# while a line is being typed. Prints a table; exits 1 if an expectation fails, 0 with --baseline.
# Writes every answer to lsp/out/results.json and the LSP traffic to lsp/out/lsp.log.
#
#   bash lsp/run.sh [--baseline]
set -euo pipefail
cd "$(dirname "$0")"

# rust-analyzer, the sysroot it reads (rust-src: std's methods) and the proc-macro server it
# starts all come from one toolchain; the cargo and rustc it runs must be that toolchain too.
export RUSTUP_TOOLCHAIN=stable
rustup component add --toolchain "$RUSTUP_TOOLCHAIN" rust-analyzer rust-src
rust_analyzer=$(rustup which --toolchain "$RUSTUP_TOOLCHAIN" rust-analyzer)
command -v python3 >/dev/null || {
    echo "error: the LSP client is Python 3 (standard library only), and python3 is not installed" >&2
    exit 1
}

mkdir -p out
exec python3 cases.py --rust-analyzer "$rust_analyzer" --json out/results.json --log out/lsp.log "$@"
