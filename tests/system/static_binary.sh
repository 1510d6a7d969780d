#!/usr/bin/env bash
# The single-file promise: the binary is fully static (no loader, no shared libraries) and,
# stripped, stays under 15 MB.
set -euo pipefail
bin=${IRONPANEL_BIN:?IRONPANEL_BIN must name the ironpanel binary}
info=$(file -L "$bin")
grep -q "statically linked" <<<"$info" || { echo "FAIL: not statically linked: $info"; exit 1; }
ldd_out=$(ldd "$bin" 2>&1 || true)
grep -q "not a dynamic executable" <<<"$ldd_out" || { echo "FAIL: ldd sees dependencies: $ldd_out"; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
strip -o "$tmp" "$bin"
size=$(stat -c %s "$tmp")
limit=$((15 * 1024 * 1024))
[ "$size" -le "$limit" ] || { echo "FAIL: stripped size $size bytes exceeds 15 MB"; exit 1; }
echo "PASS: static, stripped size $((size / 1024)) KiB"
