#!/usr/bin/env bash
# The distroless promise: the binary runs as uid 65532, as PID 1, in a root directory that
# holds nothing but itself and a writable data dir (no libc, no /etc, no /tmp), serves
# /health, and exits 0 on SIGTERM.
set -euo pipefail
bin=${IRONPANEL_BIN:?IRONPANEL_BIN must name the ironpanel binary}
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root for chroot/unshare"; exit 77; fi
command -v unshare >/dev/null && command -v chroot >/dev/null || { echo "SKIP: unshare/chroot missing"; exit 77; }

root=$(mktemp -d)
out=$(mktemp)
pid=""
cleanup() { [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$root" "$out"; }
trap cleanup EXIT

chmod 0755 "$root"
cp "$bin" "$root/ironpanel"
mkdir "$root/data"
chown 65532:65532 "$root/data"
chmod 0700 "$root/data"

unshare --pid --fork chroot --userspec=65532:65532 "$root" /ironpanel serve --data /data \
  --listen 127.0.0.1:0 --log-format json >"$out" 2>&1 &
pid=$!

# Wait for the listening line (bounded by the number of lines the file can grow to).
addr=""
for _ in $(seq 1 500); do
  addr=$(grep -o '"addr":"[0-9.]*:[0-9]*"' "$out" | head -n1 | cut -d'"' -f4 || true)
  [ -n "$addr" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then echo "FAIL: server exited early"; cat "$out"; exit 1; fi
  sleep 0.01  # poll tick; the condition above is what we wait for
done
[ -n "$addr" ] || { echo "FAIL: no listening line"; cat "$out"; exit 1; }

body=$(curl -sf "http://$addr/health") || { echo "FAIL: /health did not answer"; cat "$out"; exit 1; }
grep -q '"status":"ok"' <<<"$body" || { echo "FAIL: unexpected health body: $body"; exit 1; }
grep -q '"database":"ok"' <<<"$body" || { echo "FAIL: database check: $body"; exit 1; }
[ -f "$root/data/iron.db" ] || { echo "FAIL: no database in the data dir"; exit 1; }
[ "$(stat -c %u "$root/data/iron.db")" = 65532 ] || { echo "FAIL: database not owned by 65532"; exit 1; }

# PID 1 in its namespace: SIGTERM to the unshare child reaches ironpanel as PID 1.
inner=$(pgrep -P "$pid" || true)
kill -TERM "${inner:-$pid}"
set +e
wait "$pid"
rc=$?
set -e
pid=""
[ "$rc" = 0 ] || { echo "FAIL: exit code $rc after SIGTERM"; cat "$out"; exit 1; }
grep -q '"msg":"stopped"' "$out" || { echo "FAIL: no clean stop logged"; cat "$out"; exit 1; }
echo "PASS: distroless-style run as uid 65532, PID 1, empty root"
