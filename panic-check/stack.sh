#!/usr/bin/env bash
# Peak stack of the client's and the server's deepest calls (x86_64, release): the
# smallest thread stack, found by bisection, on which `stack_probe MODE` still completes.
# The "none" row is the thread's own overhead on this platform, to subtract.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p authcode --example stack_probe >/dev/null 2>&1
probe=target/release/examples/stack_probe
for mode in none client server; do
  low=4096 high=$((4 << 20))
  while [ $((high - low)) -gt 1024 ]; do
    mid=$(((low + high) / 2))
    if "$probe" "$mode" "$mid" >/dev/null 2>&1; then high=$mid; else low=$mid; fi
  done
  echo "$mode: $high bytes"
done
