#!/usr/bin/env python3
"""Print criterion medians as the Markdown tables in BENCHMARKS.md.

Usage: python3 benches/report.py [target/criterion]

Reads every <group>/<function>/new/estimates.json; within each group the row whose name
starts with "floor" is the floor and the rows starting with "oauth2" are the peer.
Ratios are taken between rows of the same run, which is what survives a noisy machine.
"""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
groups = {}
for estimates in sorted(root.glob("**/new/estimates.json")):
    bench = json.loads((estimates.parent / "benchmark.json").read_text())
    median = json.loads(estimates.read_text())["median"]["point_estimate"]
    name = bench["function_id"] or bench["value_str"]
    if bench["function_id"] and bench.get("value_str"):
        name = f'{bench["function_id"]} / {bench["value_str"]}'
    groups.setdefault(bench["group_id"], []).append((name, median))

for group, rows in groups.items():
    floor = next((m for name, m in rows if name.startswith("floor") or name.endswith("(unit)")), None)
    peers = [m for name, m in rows if name.startswith("oauth2")]
    print(f"\n### {group}\n")
    print("| row | median | × floor | × oauth2 |")
    print("| --- | ---: | ---: | ---: |")
    order = sorted(rows, key=lambda r: (not r[0].startswith("floor"), r[0].startswith("oauth2"), r[0]))
    for name, median in order:
        vs_floor = f"{median / floor:.2f}" if floor else "—"
        vs_peer = "—"
        if peers and name.startswith("authcode"):
            vs_peer = " / ".join(f"{median / p:.2f}" for p in peers)
        print(f"| {name} | {median:.1f} ns | {vs_floor} | {vs_peer} |")
