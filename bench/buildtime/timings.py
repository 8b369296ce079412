#!/usr/bin/env python3
"""Reads the report of one `cargo build --timings` and prints, in markdown, the units that took
longest and the critical path: from the unit that finished last, back through the unit whose end
let it start. A unit that started well after its last dependency ended waited for a free job
slot (with -j2, two other units were running), which the `waited` column shows.

usage: timings.py cargo-timing.html [top-n [crate,crate,...]]

With a list of crate names, it also prints the sum of those crates' unit times (their build
scripts included): with all cores busy, as on a 2-core machine, that sum divided by the job
count is roughly what they add to the wall time.
"""

import json
import sys


def load(path):
    html = open(path, encoding="utf-8").read()
    key = "const UNIT_DATA = "
    start = html.index(key) + len(key)
    end = html.index(";\n", start)
    return json.loads(html[start:end])


def label(unit):
    target = unit.get("target", "").strip()
    name = f"{unit['name']} {unit['version']}"
    if "build-script (run)" in target:
        return name + " (build script run)"
    if "build-script" in target:
        return name + " (build script)"
    return name


def main():
    units = load(sys.argv[1])
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    group = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else set()
    by_index = {u["i"]: u for u in units}
    blockers = {u["i"]: [] for u in units}
    for u in units:
        for j in u.get("unblocked_units", []) + u.get("unblocked_rmeta_units", []):
            blockers.setdefault(j, []).append(u["i"])
    end = lambda u: u["start"] + u["duration"]
    wall = max(end(u) for u in units)
    busy = sum(u["duration"] for u in units)

    print(f"{len(units)} units, wall {wall:.2f} s, sum of unit times {busy:.2f} s")
    if group:
        mine = [u for u in units if u["name"] in group]
        if mine:
            names = ", ".join(sorted({u["name"] for u in mine}))
            print(f"of which {sum(u['duration'] for u in mine):.2f} s in {names}")
    print()
    print("| unit | start (s) | duration (s) |")
    print("|---|---:|---:|")
    for u in sorted(units, key=lambda u: -u["duration"])[:top]:
        print(f"| {label(u)} | {u['start']:.2f} | {u['duration']:.2f} |")

    path = []
    unit = max(units, key=end)
    while unit is not None:
        before = [by_index[j] for j in blockers.get(unit["i"], [])]
        released_by = max(before, key=end) if before else None
        # Negative when it started on its dependency's metadata (pipelining): no wait.
        waited = max(0.0, unit["start"] - (end(released_by) if released_by else 0.0))
        path.append((unit, waited))
        unit = released_by
    print("\nCritical path (first unit first); `waited` = time between the end of the unit that")
    print("released it (or the build's start) and its own start, i.e. waiting for a free job slot:\n")
    print("| unit | start (s) | duration (s) | waited (s) |")
    print("|---|---:|---:|---:|")
    for unit, waited in reversed(path):
        print(f"| {label(unit)} | {unit['start']:.2f} | {unit['duration']:.2f} | {waited:.2f} |")


if __name__ == "__main__":
    main()
