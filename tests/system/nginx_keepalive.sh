#!/usr/bin/env bash
# ironpanel behind a real nginx configured as docs/deploy.md shows (an upstream with
# `keepalive`, HTTP/1.1, `Connection ""`): nginx forwards a body-less POST without a
# Content-Length, then reuses the upstream connection for the next request. That next
# request must be answered at once (it used to be read as the POST's body until the 10 s
# read timeout, and nginx answered 502).
#
#   IRONPANEL_BIN=build/ironpanel tests/system/nginx_keepalive.sh
#
# Exit 0 pass, 1 fail, 77 skip (nginx or curl missing, or nginx cannot run here).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${IRONPANEL_BIN:-$root/build/ironpanel}
nginx=$(PATH="$PATH:/usr/sbin:/sbin" command -v nginx || true)
admin_email=admin@example.test
admin_password="Nginx-test-${RANDOM}${RANDOM}-Passw0rd"

log() { printf 'nginx_keepalive: %s\n' "$*"; }
skip() { printf 'SKIP: %s\n' "$*"; exit 77; }
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  for f in "$work/error.log" "$work/server.err"; do
    [ -s "$f" ] && { printf -- '--- %s ---\n' "$f" >&2; tail -n 20 "$f" >&2; }
  done
  exit 1
}

[ -n "$nginx" ] || skip "nginx is not installed (scripts/bootstrap installs it)"
command -v curl >/dev/null || skip "curl is not installed"
[ -x "$bin" ] || { echo "FAIL: no executable ironpanel binary at $bin (set IRONPANEL_BIN)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ironpanel-nginx.XXXXXX")
chmod 0755 "$work"  # nginx workers may run as nobody
server_pid='' nginx_pid=''
cleanup() {
  set +e
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# ironpanel on an ephemeral port, read back from its "listening" log line.
IRON_ADMIN_EMAIL=$admin_email IRON_ADMIN_PASSWORD=$admin_password \
  "$bin" serve --data "$work/data" --listen 127.0.0.1:0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=''
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*"msg":"listening".*"addr":"127\.0\.0\.1:\([0-9]*\)".*/\1/p; s/.*"addr":"127\.0\.0\.1:\([0-9]*\)".*"msg":"listening".*/\1/p' "$work/server.out" | head -n1)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || fail "ironpanel did not start"
  read -r -t 0.1 <> <(:) || true  # pace the polls: 0.1 s
done
[ -n "$port" ] || fail "ironpanel did not report its port"

# nginx in the foreground, everything under $work; its port: the first free one tried.
start_nginx() {
  cat >"$work/nginx.conf" <<CONF
worker_processes 1;
error_log $work/error.log info;
pid $work/nginx.pid;
events { worker_connections 64; }
http {
    access_log $work/access.log;
    client_body_temp_path $work/client_body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;

    upstream ironpanel {
        server 127.0.0.1:$port;
        keepalive 16;
    }
    server {
        listen 127.0.0.1:$1;
        client_max_body_size 1m;
        location / {
            proxy_pass http://ironpanel;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-Host \$host;
        }
    }
}
CONF
  "$nginx" -p "$work" -c "$work/nginx.conf" -g 'daemon off;' 2>>"$work/error.log" &
  nginx_pid=$!
  for _ in $(seq 1 50); do
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/health/live" 2>/dev/null && return 0
    kill -0 "$nginx_pid" 2>/dev/null || { nginx_pid=''; return 1; }
    read -r -t 0.1 <> <(:) || true
  done
  return 1
}
proxy=''
for candidate in $((20000 + RANDOM % 20000)) $((20000 + RANDOM % 20000)) $((20000 + RANDOM % 20000)); do
  if start_nginx "$candidate"; then proxy=http://127.0.0.1:$candidate; break; fi
done
[ -n "$proxy" ] || skip "nginx cannot run here: $(tail -n 3 "$work/error.log" 2>/dev/null)"
log "ironpanel on :$port behind nginx at $proxy"

token=$(curl -fsS --max-time 10 -H 'Content-Type: application/json' \
  -d "{\"email\":\"$admin_email\",\"password\":\"$admin_password\"}" "$proxy/api/v1/auth/login" |
  sed -n 's/.*"user_token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || fail "admin login through nginx failed"

# Body-less POST (curl sends no Content-Length, nor does nginx upstream), then a GET that
# nginx sends on the same kept-alive upstream connection. Several rounds, so the cached
# connection is reused whichever nginx picks.
for round in 1 2 3 4; do
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 -X POST \
    -H "Authorization: Bearer $token" "$proxy/api/v1/auth/validate") || code="timeout"
  [ "$code" = 200 ] || fail "round $round: body-less POST through nginx answered $code"
  start=$(date +%s%N)
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$proxy/health/live") || code="timeout"
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  [ "$code" = 200 ] || fail "round $round: the request after it answered $code (502 = upstream connection stalled)"
  [ "$ms" -lt 3000 ] || fail "round $round: the request after it took ${ms} ms"
done
if grep -q 'upstream prematurely closed\|upstream timed out' "$work/error.log"; then
  fail "nginx reports upstream errors: $(grep -m1 'upstream' "$work/error.log")"
fi
log "PASS: body-less POSTs leave nginx's kept-alive upstream connections usable"
