#!/usr/bin/env bash
# The network bench of the multicore issue: requests/s of hello servers on loopback under wrk,
# in one run, in turn: examples/server.rs on 1 hub and on 2 hubs (`--hubs 2`, SO_REUSEPORT
# listeners), nginx with 2 workers, and a tokio multi-thread server with 2 workers
# (bench/src/bin/tokio_hello.rs). Every server says `Hello, world!` (nginx: `return 200`).
#
#   bench/multicore/run.sh            # RUNS=3 rounds of 5 s per server by default
#   RUNS=5 SECONDS_PER_RUN=10 bench/multicore/run.sh
#
# wrk runs on the same machine: on a 2-core machine the load generator takes its share of the
# two cores from the servers (wrk -t1 by default, one thread, to take as little as it can;
# WRK_THREADS=2 to push harder).
# Installs what is missing (Debian packages nginx and wrk, at most those two), builds the
# release binaries (CARGO_TARGET_DIR, default /tmp/target-mcbench, -j1), serves on 127.0.0.1
# only, and stops what it started on exit. Bounded: RUNS x 4 servers x SECONDS_PER_RUN.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${SRC:-$(cd "$HERE/../.." && pwd)}
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
CONNECTIONS=${CONNECTIONS:-100}
WRK_THREADS=${WRK_THREADS:-1}
[ "$RUNS" -le 20 ] && [ "$SECONDS_PER_RUN" -le 30 ] || { echo "at most 20 runs of 30 s" >&2; exit 2; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/target-mcbench}

need=()
command -v nginx >/dev/null || need+=(nginx)
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "building the release binaries (-j1, $CARGO_TARGET_DIR)"
(cd "$SRC" && cargo build -q --release -j1 --features net --example server)
(cd "$SRC/bench" && cargo build -q --release -j1 --bin tokio_hello)
SERVER=$CARGO_TARGET_DIR/release/examples/server
TOKIO=$CARGO_TARGET_DIR/release/tokio_hello

WORK=$(mktemp -d /tmp/corogen-mcbench.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_http() { # URL: bounded wait until it answers
    for _ in $(seq 100); do
        curl -sf -o /dev/null "$1" && return 0
        sleep 0.05
    done
    echo "no answer from $1" >&2
    return 1
}

P1=$(free_port); P2=$(free_port); PN=$(free_port); PT=$(free_port)
mkdir -p "$WORK/tmp"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi;
    scgi_temp_path $WORK/tmp/scgi;
    server {
        listen 127.0.0.1:$PN reuseport;
        location / { default_type text/plain; return 200 "Hello, world!\n"; }
    }
}
CONF
nginx -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" &
PIDS+=($!)
"$SERVER" --port "$P1" >/dev/null &
PIDS+=($!)
"$SERVER" --port "$P2" --hubs 2 >/dev/null &
PIDS+=($!)
"$TOKIO" "$PT" 2 >/dev/null &
PIDS+=($!)
for port in $P1 $P2 $PN $PT; do wait_http "http://127.0.0.1:$port/"; done

RESULTS=$WORK/rps.tsv
: >"$RESULTS"
for run in $(seq "$RUNS"); do
    for target in "server-1hub:$P1" "server-2hubs:$P2" "nginx-2workers:$PN" "tokio-2workers:$PT"; do
        name=${target%%:*}; port=${target##*:}
        out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$port/")
        if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then echo "wrk $name:" >&2; echo "$out" >&2; fi
        rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
        printf '%s\t%s\n' "$name" "$rps" >>"$RESULTS"
        echo "run $run $name: $rps req/s" >&2
    done
done

python3 - "$RESULTS" "$RUNS" "$CONNECTIONS" "$SECONDS_PER_RUN" "$(nproc)" "$WRK_THREADS" <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
runs, conns, secs, cores, threads = sys.argv[2:7]
by = {}
for name, rps in rows:
    by.setdefault(name, []).append(float(rps))
med = {name: statistics.median(v) for name, v in by.items()}
base = med["server-1hub"]
print(f"| server (wrk -t{threads} -c{conns} -d{secs}s, hello, loopback, {cores} cores shared with wrk) | requests/s (median of {runs}) | ratio to server.rs 1 hub |")
print("|---|---:|---:|")
labels = {
    "server-1hub": "examples/server.rs, 1 hub",
    "server-2hubs": "examples/server.rs --hubs 2 (SO_REUSEPORT)",
    "nginx-2workers": "nginx, 2 workers (reuseport)",
    "tokio-2workers": "tokio multi-thread, 2 workers",
}
for name in ["server-1hub", "server-2hubs", "nginx-2workers", "tokio-2workers"]:
    print(f"| {labels[name]} | {med[name]:.0f} | {med[name] / base:.2f}x |")
PY
