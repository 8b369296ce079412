#!/usr/bin/env bash
# Clean build time and dependency count of a one-generator user crate: corogen (three feature
# sets) beside genawaiter, next-gen, async-stream, fauxgen and asynk-strim, in one run.
#
#   bench/buildtime/run.sh [COROGEN_SRC]
#
# COROGEN_SRC (argument or env var) is the corogen checkout to measure; default: the repository
# holding this script. It is only read: the user crates (crates/<name>/ here) are copied to a
# temp dir with their `corogen` path dependency pointed at it, and every target dir is there too.
#
# Environment (defaults in brackets):
#   REPS [3]              clean builds per implementation and profile; the table shows the median
#   JOBS [nproc]          cargo -j, the same for every build
#   PROFILES ["dev release"]
#   EXPERIMENT [1]        also measure corogen without proc-macro-crate (a patched temp copy of
#                         COROGEN_SRC) and a bare syn/quote macro with and without syn's visit
#                         features
#   TIMINGS [1]           one extra `cargo build --timings` (dev) of TIMINGS_OF, summarised
#   TIMINGS_OF ["corogen-alloc corogen-alloc-nopmc syn-quote syn-quote-visit"]
#   ONLY [all]            space-separated implementation names to run (e.g. "corogen-alloc fauxgen")
#   WORK [mktemp -d]      where the copies, target dirs, logs and results go; kept afterwards
#
# Builds are interleaved: repetition r builds every implementation once, in an order rotated by
# r, so that load from elsewhere on the machine falls on all of them alike.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "${1:-${COROGEN_SRC:-$HERE/../..}}" && pwd)
REPS=${REPS:-3}
JOBS=${JOBS:-$(nproc)}
PROFILES=${PROFILES:-dev release}
EXPERIMENT=${EXPERIMENT:-1}
TIMINGS=${TIMINGS:-1}
TIMINGS_OF=${TIMINGS_OF:-corogen-alloc corogen-alloc-nopmc syn-quote syn-quote-visit}
ONLY=${ONLY:-}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/corogen-buildtime.XXXXXX")}
mkdir -p "$WORK"/{crates,target,logs}
EXPECTED_SUM=20365011073 # sum of the first 50 Fibonacci numbers, 0 included: F(51) - 1

# A compiler wrapper (sccache…) would turn clean builds into cache hits.
export RUSTC_WRAPPER='' CARGO_BUILD_RUSTC_WRAPPER=''

# name | crate folder under crates/ | which corogen (src, nopmc, -) | cargo features | kind
VARIANTS=(
  "corogen-local|corogen-local|src||corogen"
  "corogen-alloc|corogen-alloc|src||corogen"
  "corogen-default|corogen-default|src||corogen"
  "genawaiter-macro|genawaiter-macro|-||peer"
  "genawaiter-fn|genawaiter-fn|-||peer"
  "next-gen|next-gen|-||peer"
  "async-stream|async-stream|-||peer"
  "fauxgen|fauxgen|-||peer"
  "asynk-strim|asynk-strim|-||peer"
)
if [[ $EXPERIMENT == 1 ]]; then
  VARIANTS+=(
    "corogen-local-nopmc|corogen-local|nopmc||experiment"
    "corogen-alloc-nopmc|corogen-alloc|nopmc||experiment"
    "corogen-default-nopmc|corogen-default|nopmc||experiment"
    "syn-quote|syn-quote|-||reference"
    "syn-quote-visit|syn-quote|-|visit|reference"
  )
fi

log() { printf '%s\n' "$*" >&2; }
field() { cut -d'|' -f"$2" <<<"$1"; }

# The experiment's corogen: a copy of SRC whose macro crate has no proc-macro-crate and always
# names `::corogen` (what krate.rs falls back to anyway; a renamed dependency is not supported).
make_nopmc() {
  local copy=$WORK/corogen-nopmc
  rm -rf "$copy" && mkdir -p "$copy"
  tar -C "$SRC" --exclude=./.git --exclude=target -cf - . | tar -C "$copy" -xf -
  local krate=$copy/gen-macros/src/krate.rs
  if ! grep -q 'pub fn resolve(option: Option<&Path>) -> Path' "$krate" ||
    [[ $(grep -rl proc_macro_crate "$copy/gen-macros/src" | grep -cv '/krate\.rs$') != 0 ]]; then
    log "experiment: gen-macros/src/krate.rs is not the shape this script patches; skipped"
    return 1
  fi
  cat >"$krate" <<'EOF'
//! bench/buildtime experiment: no proc-macro-crate; the `crate = path` option, else `::corogen`.

use syn::Path;

pub fn resolve(option: Option<&Path>) -> Path {
    match option {
        Some(path) => path.clone(),
        None => syn::parse_quote!(::corogen),
    }
}
EOF
  sed -i '/^proc-macro-crate[[:space:]]*=/d' "$copy/gen-macros/Cargo.toml"
}

# Copies each implementation's crate into WORK and fetches its dependencies (no network later).
prepare() {
  local v name dir which src nopmc_ok=1
  if [[ $EXPERIMENT == 1 ]]; then make_nopmc || nopmc_ok=0; fi
  local kept=()
  for v in "${VARIANTS[@]}"; do
    name=$(field "$v" 1) dir=$(field "$v" 2) which=$(field "$v" 3)
    if [[ -n $ONLY && " $ONLY " != *" $name "* ]]; then continue; fi
    case $which in
      src) src=$SRC ;;
      nopmc) [[ $nopmc_ok == 1 ]] || continue; src=$WORK/corogen-nopmc ;;
      *) src= ;;
    esac
    rm -rf "${WORK:?}/crates/$name"
    tar -C "$HERE/crates/$dir" --exclude=target -cf - . | (mkdir -p "$WORK/crates/$name" && tar -C "$WORK/crates/$name" -xf -)
    if [[ -n $src ]]; then
      sed -i "s|path = \"../../../..\"|path = \"$src\"|" "$WORK/crates/$name/Cargo.toml"
    fi
    if ! cargo fetch -q --manifest-path "$WORK/crates/$name/Cargo.toml" >"$WORK/logs/$name.fetch" 2>&1; then
      log "$name: cargo fetch failed (see $WORK/logs/$name.fetch); skipped"
      continue
    fi
    kept+=("$v")
  done
  VARIANTS=("${kept[@]}")
}

features_args() { if [[ -n $1 ]]; then printf -- '--features %s' "$1"; fi; }

# Distinct packages (name + version) `cargo tree` prints for these edges, the user crate itself
# (the first line) excluded.
count_packages() { # manifest edges features...
  local manifest=$1 edges=$2
  shift 2
  cargo tree -q --frozen --manifest-path "$manifest" -e "$edges" --prefix none "$@" |
    awk 'NR > 1 && NF >= 2 { print $1, $2 }' | sort -u | wc -l
}

uses_proc_macros() { # manifest features...
  local manifest=$1 tree
  shift
  tree=$(cargo tree -q --frozen --manifest-path "$manifest" -e normal --prefix none "$@")
  if [[ $tree == *"(proc-macro)"* ]]; then echo yes; else echo no; fi
}

declare -A PKGS PKGS_BUILD PM FAILED
dependency_counts() {
  local v name feats manifest
  for v in "${VARIANTS[@]}"; do
    name=$(field "$v" 1) feats=$(field "$v" 4)
    manifest=$WORK/crates/$name/Cargo.toml
    # shellcheck disable=SC2046
    PKGS[$name]=$(count_packages "$manifest" normal $(features_args "$feats"))
    # shellcheck disable=SC2046
    PKGS_BUILD[$name]=$(count_packages "$manifest" normal,build $(features_args "$feats"))
    # shellcheck disable=SC2046
    PM[$name]=$(uses_proc_macros "$manifest" $(features_args "$feats"))
  done
}

# corogen's feature sets, counted on the no-feature crate with the facade's features switched on.
feature_table() {
  local label=$2 manifest=$WORK/crates/$1/Cargo.toml f
  [[ -f $manifest ]] || return 0
  for f in "" alloc std hub net; do
    local args=()
    [[ -n $f ]] && args=(--features "corogen/$f")
    printf '| %s | %s | %s | %s |\n' "$label" "${f:-(none)}$([[ $f == net ]] && echo ' = default')" \
      "$(count_packages "$manifest" normal "${args[@]}")" \
      "$(count_packages "$manifest" normal,build "${args[@]}")"
  done
}

# One clean build. Prints "wall cpu" in seconds (cpu: user + system time of cargo and every
# rustc, build script and linker it waited for, from bash's `time`), or FAIL.
build_once() { # variant profile rep
  local v=$1 profile=$2 rep=$3 name feats manifest target wall user sys
  name=$(field "$v" 1) feats=$(field "$v" 4)
  manifest=$WORK/crates/$name/Cargo.toml
  target=$WORK/target/$name-$profile
  rm -rf "$target"
  local args=(build --frozen -j "$JOBS" --manifest-path "$manifest" --target-dir "$target" --profile "$profile")
  # shellcheck disable=SC2206
  [[ -n $feats ]] && args+=(--features $feats)
  local TIMEFORMAT='%3R %3U %3S'
  if ! { time cargo "${args[@]}" >"$WORK/logs/$name-$profile-$rep.log" 2>&1; } 2>"$WORK/logs/time"; then
    echo FAIL
    return
  fi
  read -r wall user sys <"$WORK/logs/time"
  local out dir=debug
  [[ $profile == release ]] && dir=release
  out=$("$target/$dir/bt-$(field "$v" 2)" 2>&1 || true)
  if [[ $out != "$EXPECTED_SUM" ]]; then
    log "$name ($profile): printed '$out', expected $EXPECTED_SUM"
    echo FAIL
    return
  fi
  awk -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f %.3f\n", w, u + s }'
}

TIMES=$WORK/times.tsv
: >"$TIMES"
measure() {
  local n=${#VARIANTS[@]} rep profile k v name s
  for ((rep = 1; rep <= REPS; rep++)); do
    for profile in $PROFILES; do
      for ((k = 0; k < n; k++)); do
        v=${VARIANTS[$(((k + rep - 1) % n))]}
        name=$(field "$v" 1)
        [[ -n ${FAILED[$name-$profile]:-} ]] && continue
        s=$(build_once "$v" "$profile" "$rep")
        if [[ $s == FAIL ]]; then
          FAILED[$name-$profile]=1
          log "  rep $rep $profile $name: FAILED (see $WORK/logs/$name-$profile-$rep.log)"
          continue
        fi
        printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$profile" "$rep" "${s% *}" "${s#* }" >>"$TIMES"
        log "  rep $rep $profile $name: wall ${s% *} s, cpu ${s#* } s"
      done
    done
  done
}

# A variant's "median min max" of one column of times.tsv (4: wall, 5: cpu), or nothing.
summary() { # name profile column
  awk -F'\t' -v n="$1" -v p="$2" -v c="$3" '$1 == n && $2 == p { print $c }' "$TIMES" | sort -g |
    awk '{ v[NR] = $1 } END {
      if (NR == 0) exit
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}

report() {
  local v name kind profile col metric s
  # BEST[profile-col] = "median|name" of the fastest peer that uses proc macros.
  declare -A BEST
  for profile in $PROFILES; do
    for col in 4 5; do
      BEST[$profile-$col]=
      for v in "${VARIANTS[@]}"; do
        name=$(field "$v" 1) kind=$(field "$v" 5)
        [[ $kind == peer && ${PM[$name]} == yes ]] || continue
        s=$(summary "$name" "$profile" "$col")
        [[ -n $s ]] || continue
        s=${s%% *}
        if [[ -z ${BEST[$profile-$col]} ]] ||
          awk -v a="$s" -v b="${BEST[$profile-$col]%%|*}" 'BEGIN { exit !(a < b) }'; then
          BEST[$profile-$col]="$s|$name"
        fi
      done
    done
  done

  echo "## Build time and packages"
  echo
  local head="| implementation | kind | proc macros | packages | packages built |" rule="|---|---|---|---:|---:|"
  for profile in $PROFILES; do
    head+=" $profile wall, s: median (min–max) | ratio | $profile CPU, s: median | ratio |"
    rule+="---:|---:|---:|---:|"
  done
  echo "$head"
  echo "$rule"
  for v in "${VARIANTS[@]}"; do
    name=$(field "$v" 1) kind=$(field "$v" 5)
    local row="| $name | $kind | ${PM[$name]} | ${PKGS[$name]} | ${PKGS_BUILD[$name]} |"
    for profile in $PROFILES; do
      for col in 4 5; do
        s=$(summary "$name" "$profile" "$col")
        if [[ -z $s ]]; then
          row+=" failed | |"
          continue
        fi
        local med lo hi ratio=
        read -r med lo hi <<<"$s"
        if [[ -n ${BEST[$profile-$col]} ]]; then
          ratio=$(awk -v a="$med" -v b="${BEST[$profile-$col]%%|*}" 'BEGIN { printf "%.2fx", a / b }')
        fi
        if [[ $col == 4 ]]; then row+=" $med ($lo–$hi) | $ratio |"; else row+=" $med | $ratio |"; fi
      done
    done
    echo "$row"
  done
  echo
  for profile in $PROFILES; do
    for col in 4 5; do
      metric=wall
      [[ $col == 5 ]] && metric=CPU
      if [[ -n ${BEST[$profile-$col]} ]]; then
        echo "Ratio ($profile, $metric): to ${BEST[$profile-$col]#*|}, the fastest peer that uses proc macros."
      fi
    done
  done
  echo
  echo "wall: elapsed time of \`cargo build\` from a fresh target dir, dependencies already fetched."
  echo "CPU: user + system time of cargo and all it ran (less disturbed by other load than wall)."
  echo "packages: distinct name+version in \`cargo tree -e normal --prefix none\` (host target), the"
  echo "user crate itself excluded; proc-macro crates and their dependencies are included."
  echo "packages built: the same with \`-e normal,build\` (adds build-dependencies such as rustc_version)."
  echo
  echo "## corogen's feature sets"
  echo
  echo "| corogen | features | packages | packages built |"
  echo "|---|---|---:|---:|"
  feature_table corogen-local "as measured"
  feature_table corogen-local-nopmc "without proc-macro-crate"
}

timings() {
  local name v profile=dev
  echo
  echo "## \`cargo build --timings\` (one dev build each, -j $JOBS)"
  for name in $TIMINGS_OF; do
    v=
    local x
    for x in "${VARIANTS[@]}"; do [[ $(field "$x" 1) == "$name" ]] && v=$x; done
    [[ -n $v ]] || continue
    local target=$WORK/target/$name-timings feats
    feats=$(field "$v" 4)
    rm -rf "$target"
    local args=(build --frozen -j "$JOBS" --timings --manifest-path "$WORK/crates/$name/Cargo.toml" --target-dir "$target")
    # shellcheck disable=SC2206
    [[ -n $feats ]] && args+=(--features $feats)
    if ! cargo "${args[@]}" >"$WORK/logs/$name-timings.log" 2>&1; then
      echo
      echo "$name: build failed"
      continue
    fi
    echo
    echo "### $name"
    echo
    python3 "$HERE/timings.py" "$target/cargo-timings/cargo-timing.html" 10 \
      proc-macro-crate,toml_edit,toml_parser,toml_datetime,toml_writer,toml,serde,serde_spanned,winnow,indexmap,hashbrown,equivalent
  done
}

main() {
  local rev
  rev=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo "not a git checkout")
  if [[ -n $(git -C "$SRC" status --porcelain 2>/dev/null) ]]; then rev+=" + uncommitted changes"; fi
  log "corogen at $SRC ($rev); work dir $WORK"
  prepare
  dependency_counts
  log "measuring: ${#VARIANTS[@]} implementations x $REPS reps x ($PROFILES), -j $JOBS"
  local load0
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  measure
  {
    echo "# corogen build time, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "corogen: $SRC ($rev). $(rustc -V). $(nproc) cores, -j $JOBS. $REPS clean builds per"
    echo "implementation and profile, interleaved; load average $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after."
    echo
    report
    if [[ $TIMINGS == 1 ]]; then timings; fi
  } | tee "$WORK/results.md"
  log "results: $WORK/results.md; raw times: $TIMES"
}

main
