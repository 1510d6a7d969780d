#!/usr/bin/env bash
# The OpenAPI contract as the REAL binary serves it: start `ironpanel serve` on an ephemeral
# port, fetch /api/v1/openapi.json, and lint it with Redocly CLI (frontend devDependency,
# rules in frontend/redocly.yaml). Lint errors fail; warnings are printed and tolerated.
set -euo pipefail
bin=${IRONPANEL_BIN:?IRONPANEL_BIN must name the ironpanel binary}
src=${IRON_SOURCE_DIR:?IRON_SOURCE_DIR must name the source tree}
redocly="$src/frontend/node_modules/.bin/redocly"
[ -x "$redocly" ] || { echo "FAIL: $redocly missing: run scripts/bootstrap (npm ci in frontend/)"; exit 1; }
for tool in curl node; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool missing: run scripts/bootstrap"; exit 1; }
done

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve --data "$work/data" --listen 127.0.0.1:0 --log-format json >"$work/server.log" 2>&1 &
pid=$!

# Wait for the JSON "listening" log line and read the bound address from its addr field.
addr=""
for _ in $(seq 1 1000); do
  addr=$(grep '"msg":"listening"' "$work/server.log" | grep -o '"addr":"[0-9.]*:[0-9]*"' | head -n1 | cut -d'"' -f4 || true)
  [ -n "$addr" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then echo "FAIL: server exited early"; cat "$work/server.log"; exit 1; fi
  sleep 0.01  # poll tick; the listening line is what we wait for
done
[ -n "$addr" ] || { echo "FAIL: no listening line"; cat "$work/server.log"; exit 1; }

doc="$work/openapi.json"
status=$(curl -s -o "$doc" -w '%{http_code}' "http://$addr/api/v1/openapi.json") || status="curl failed"
[ "$status" = 200 ] || { echo "FAIL: GET /api/v1/openapi.json answered $status"; cat "$doc" 2>/dev/null; exit 1; }
grep -q '"openapi":"3.1' "$doc" || { echo "FAIL: not an OpenAPI 3.1 document"; head -c 300 "$doc"; exit 1; }

kill -TERM "$pid"
wait "$pid" || { echo "FAIL: server did not exit cleanly on SIGTERM"; cat "$work/server.log"; exit 1; }
pid=""

# Pretty-printed so that problem locations point at readable lines.
node -e 'const fs = require("fs"); const f = process.argv[1];
  fs.writeFileSync(f, JSON.stringify(JSON.parse(fs.readFileSync(f, "utf8")), null, 2));' "$doc"
set +e
(cd "$work" && timeout 300 "$redocly" lint --config "$src/frontend/redocly.yaml" "$doc" 2>&1)
rc=$?
set -e
[ "$rc" = 0 ] || { echo "FAIL: redocly lint found errors (exit $rc)"; exit 1; }
echo "PASS: /api/v1/openapi.json from the real binary lints without errors"
