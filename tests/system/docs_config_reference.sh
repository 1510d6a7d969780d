#!/usr/bin/env bash
# docs/deploy.md's configuration reference must list every flag `ironpanel serve` accepts,
# with its IRON_* environment twin, so the documentation cannot silently fall behind.
set -euo pipefail
bin=${IRONPANEL_BIN:?IRONPANEL_BIN must name the ironpanel binary}
src=${IRON_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
doc="$src/docs/deploy.md"
help=$("$bin" serve --help)
missing=0
flags=$(grep -oE -- '--[a-z][a-z-]+' <<<"$help" | sort -u | grep -vxE -- '--help(-all)?')
[ -n "$flags" ] || { echo "FAIL: no flags parsed from serve --help"; exit 1; }
for flag in $flags; do
  if ! grep -q -- "\`$flag\`" "$doc"; then echo "FAIL: $flag is not in docs/deploy.md"; missing=1; fi
done
for env in $(grep -oE 'IRON_[A-Z_]+' <<<"$help" | sort -u); do
  if ! grep -q "$env" "$doc"; then echo "FAIL: $env is not in docs/deploy.md"; missing=1; fi
done
[ "$missing" = 0 ] && echo "PASS: $(wc -w <<<"$flags") serve flags documented"
exit "$missing"
