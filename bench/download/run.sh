#!/usr/bin/env bash
# The download bench of issue 6: 1000 downloads (1, 10, 64 and 256 KiB files in turn, 84.7 MB)
# from a local nginx, 100 at a time, by corogen's downloader, curl --parallel, aria2c, wget and
# gevent's Pool(100) + urllib; then wrk against examples/server.rs and nginx on one 10 KiB file.
#
#   bench/download/run.sh            # everything; RUNS=5 by default (plus one warm-up run each)
#   RUNS=3 SKIP_WGET_10MS=1 bench/download/run.sh
#   SRC=/tmp/clean-export bench/download/run.sh   # build another copy of the workspace
#
# Installs what is missing (Debian packages, gevent from PyPI), builds the workspace's release
# binaries (CARGO_TARGET_DIR, default /tmp/target-dlbench, with -j1), serves files from a tmpfs
# folder under /dev/shm on 127.0.0.1 only, and stops what it started on exit.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# SRC: the workspace to build (default: this one; a clean export of a commit keeps others'
# uncommitted edits out of the measured binaries).
SRC=${SRC:-$(cd "$HERE/../.." && pwd)}
RUNS=${RUNS:-5}
COUNT=1000
CONC=100
SKIP_WGET_10MS=${SKIP_WGET_10MS:-0}
NGINX_WORKERS=${NGINX_WORKERS:-1}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/target-dlbench}

# --- what it needs ------------------------------------------------------------------------------
need=()
command -v nginx >/dev/null || need+=(nginx)
[ -e /usr/lib/nginx/modules/ngx_http_echo_module.so ] || need+=(libnginx-mod-http-echo)
command -v curl >/dev/null || need+=(curl)
command -v aria2c >/dev/null || need+=(aria2)
command -v wget >/dev/null || need+=(wget)
command -v wrk >/dev/null || need+=(wrk)
command -v python3 >/dev/null || need+=(python3 python3-pip)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! python3 -c 'import gevent' 2>/dev/null; then
    echo "installing gevent"
    python3 -m pip install -q gevent 2>/dev/null || python3 -m pip install -q --break-system-packages gevent
fi

echo "building the release binaries (-j1, $CARGO_TARGET_DIR)"
(cd "$SRC" && cargo build -q --release -j1 -p downloader --bin downloader && cargo build -q --release -j1 --example server)
DOWNLOADER=$CARGO_TARGET_DIR/release/downloader
SERVER=$CARGO_TARGET_DIR/release/examples/server

# --- the files, on tmpfs ------------------------------------------------------------------------
WORK=$(mktemp -d /dev/shm/corogen-dlbench.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

WWW=$WORK/www
OUT=$WORK/out
mkdir -p "$WWW" "$WORK/tmp"
python3 - "$WWW" "$COUNT" <<'PY'
import os, sys
www, count = sys.argv[1], int(sys.argv[2])
sizes = [1024, 10 * 1024, 64 * 1024, 256 * 1024]
for i in range(count):
    with open(os.path.join(www, f"f{i:04d}.bin"), "wb") as f:
        f.write(os.urandom(sizes[i % 4]))
with open(os.path.join(www, "ten.bin"), "wb") as f:
    f.write(os.urandom(10 * 1024))
PY
chmod -R a+rX "$WWW"
(cd "$WWW" && sha256sum f*.bin >"$WORK/sha256" && stat -c '%n %s' f*.bin >"$WORK/sizes")
TOTAL=$(awk '{ s += $2 } END { print s }' "$WORK/sizes")
echo "$COUNT files, $TOTAL bytes, in $WWW"

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

# --- nginx: port P0 serves the files at once, port P10 after 10 ms (echo_sleep, then the file) ---
P0=$(free_port)
P10=$(free_port)
PS=$(free_port)
cat >"$WORK/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
worker_processes $NGINX_WORKERS;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    default_type application/octet-stream;
    client_body_temp_path $WORK/tmp/body;
    proxy_temp_path $WORK/tmp/proxy;
    fastcgi_temp_path $WORK/tmp/fastcgi;
    uwsgi_temp_path $WORK/tmp/uwsgi;
    scgi_temp_path $WORK/tmp/scgi;
    server {
        listen 127.0.0.1:$P0;
        root $WWW;
    }
    server {
        listen 127.0.0.1:$P10;
        root $WWW;
        location / {
            echo_sleep 0.010;
            echo_exec @file;
        }
        location @file { }
    }
}
CONF
nginx -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" &
PIDS+=($!)
"$SERVER" --port "$PS" --dir "$WWW" >/dev/null &
PIDS+=($!)
wait_http "http://127.0.0.1:$P0/ten.bin"
wait_http "http://127.0.0.1:$P10/ten.bin"
wait_http "http://127.0.0.1:$PS/ten.bin"
# The delay is really there.
d=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$P10/f0000.bin")
awk -v d="$d" 'BEGIN { exit !(d >= 0.010) }' || { echo "the 10 ms port answered in ${d}s" >&2; exit 1; }
echo "nginx on 127.0.0.1:$P0 (no delay) and :$P10 (one request there: ${d}s); examples/server.rs on :$PS"

# --- the tools ----------------------------------------------------------------------------------
for port in "$P0" "$P10"; do
    for ((i = 0; i < COUNT; i++)); do printf 'http://127.0.0.1:%s/f%04d.bin\n' "$port" "$i"; done >"$WORK/urls.$port"
done

run_tool() { # TOOL PORT: downloads every URL into $OUT
    local urls=$WORK/urls.$2
    case $1 in
    downloader) mapfile -t u <"$urls" && "$DOWNLOADER" -c "$CONC" -o "$OUT" "${u[@]}" >/dev/null ;;
    curl) mapfile -t u <"$urls" && curl -sf --no-progress-meter --parallel --parallel-max "$CONC" --output-dir "$OUT" --remote-name-all "${u[@]}" ;;
    aria2c) aria2c -q -j "$CONC" -d "$OUT" -i "$urls" ;;
    wget) wget -q -P "$OUT" -i "$urls" ;;
    gevent) python3 "$HERE/gevent_pool.py" "$urls" "$OUT" "$CONC" ;;
    esac
}
check() { # every file there, nothing else, each of the right size and content
    local n
    n=$(find "$OUT" -mindepth 1 | wc -l)
    [ "$n" -eq "$COUNT" ] || { echo "$n entries in the output, not $COUNT" >&2; return 1; }
    (cd "$OUT" && stat -c '%n %s' f*.bin | cmp -s - "$WORK/sizes") || { echo "sizes differ" >&2; return 1; }
    (cd "$OUT" && sha256sum --quiet --strict -c "$WORK/sha256") || { echo "checksums differ" >&2; return 1; }
}

TOOLS=(downloader curl aria2c wget gevent)
RESULTS=$WORK/results.tsv
: >"$RESULTS"
echo "timing: ${RUNS} runs (+1 warm-up) of each tool, round-robin, every run checked"
for ((run = 0; run <= RUNS; run++)); do
    for port in "$P0" "$P10"; do
        col=$([ "$port" = "$P0" ] && echo 0ms || echo 10ms)
        for tool in "${TOOLS[@]}"; do
            [ "$tool" = wget ] && [ "$col" = 10ms ] && [ "$SKIP_WGET_10MS" = 1 ] && continue
            rm -rf "$OUT" && mkdir -p "$OUT"
            t0=$EPOCHREALTIME
            if ! run_tool "$tool" "$port" 2>"$WORK/stderr"; then
                echo "$tool ($col) failed:" >&2
                head -20 "$WORK/stderr" >&2
                exit 1
            fi
            t1=$EPOCHREALTIME
            check || { echo "$tool ($col): wrong output" >&2; exit 1; }
            [ "$run" -gt 0 ] && printf '%s\t%s\t%s\n' "$col" "$tool" "$(echo "$t1 - $t0" | bc -l)" >>"$RESULTS"
            printf '.'
        done
    done
done
echo

# --- wrk: the server's requests/s, examples/server.rs against nginx, one 10 KiB file ------------
WRK=$WORK/wrk.tsv
: >"$WRK"
for target in server:$PS nginx:$P0; do
    name=${target%%:*}
    port=${target#*:}
    rps=$(wrk -t2 -c100 -d5s "http://127.0.0.1:$port/ten.bin" | tee "$WORK/wrk.$name" | awk '/^Requests\/sec/ { print $2 }')
    grep -q 'Non-2xx\|Socket errors' "$WORK/wrk.$name" && { echo "wrk $name:" >&2; cat "$WORK/wrk.$name" >&2; }
    printf '%s\t%s\n' "$name" "$rps" >>"$WRK"
done

# --- the table ----------------------------------------------------------------------------------
python3 - "$RESULTS" "$WRK" "$TOTAL" "$NGINX_WORKERS" <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
wrk = [line.split("\t") for line in open(sys.argv[2]).read().splitlines()]
total, workers = int(sys.argv[3]), sys.argv[4]
times = {}
for col, tool, t in rows:
    times.setdefault((col, tool), []).append(float(t))
if not times:
    sys.exit("no timed runs (RUNS=0)")
med = {key: statistics.median(v) for key, v in times.items()}
tools = ["downloader -c 100", "curl --parallel --parallel-max 100", "aria2c -j 100", "wget, sequential", "gevent Pool(100) + urllib"]
keys = ["downloader", "curl", "aria2c", "wget", "gevent"]
print(f"| tool | 0 ms server latency | ratio to curl | 10 ms latency per request | ratio to curl |")
print("|---|---:|---:|---:|---:|")
for label, key in zip(tools, keys):
    cells = []
    for col in ("0ms", "10ms"):
        if (col, key) not in med:
            cells += ["–", "–"]
            continue
        m = med[(col, key)]
        cells.append(f"{m:.3f} s ({1000 / m:,.0f} req/s)")
        cells.append(f"{m / med[(col, 'curl')]:.2f}x")
    print(f"| {label} | " + " | ".join(cells) + " |")
print()
for col in ("0ms", "10ms"):
    print(f"gevent / downloader, {col}: {med[(col, 'gevent')] / med[(col, 'downloader')]:.2f}x")
print(f"median of {len(next(iter(times.values())))} runs, whole process; {total:,} bytes per run")
print("all runs (s):")
for (col, key), v in sorted(times.items()):
    print(f"  {col:5} {key:11} " + " ".join(f"{x:.3f}" for x in v))
print()
print(f"| server (wrk -t2 -c100 -d5s, one 10 KiB file) | requests/s |")
print("|---|---:|")
for name, rps in wrk:
    label = "examples/server.rs (one thread)" if name == "server" else f"nginx ({workers} worker)"
    print(f"| {label} | {float(rps):,.0f} |")
PY
