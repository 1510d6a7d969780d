#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests (tests/support/postgres_cluster.h), from Debian's
# `postgresql` package (scripts/bootstrap installs it):
#   postgres_cluster.sh start DIR   initdb in DIR, TLS with a CA generated for this run, SCRAM
#                                   password auth on 127.0.0.1 only, on a free port; prints
#                                   `port=N`. DIR holds `port`, `password`, `ca.crt`, `log`.
#   postgres_cluster.sh stop DIR    stops the server at once and deletes DIR.
# initdb refuses to run as root: as root, the server runs as Debian's `postgres` user.
# Exit 77 (with the reason on stderr) only when PostgreSQL cannot run on this machine at all.
# Durability is off (fsync, full_page_writes): the tests check behaviour, not crash safety.
set -euo pipefail
umask 077
cmd=${1:?usage: postgres_cluster.sh start|stop DIR}
dir=${2:?usage: postgres_cluster.sh start|stop DIR}
skip() { echo "SKIP: $*" >&2; exit 77; }

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
as_owner=()
if [ "$(id -u)" = 0 ]; then as_owner=(runuser -u postgres --); fi

if [ "$cmd" = stop ]; then
  if [ -n "$bindir" ] && [ -f "$dir/data/postmaster.pid" ]; then
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit 0
fi
[ "$cmd" = start ] || { echo "unknown command $cmd" >&2; exit 2; }

[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || skip "no PostgreSQL server installed (/usr/lib/postgresql/*/bin/initdb; scripts/bootstrap installs it)"
command -v openssl >/dev/null || skip "no openssl command to make the test CA"
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || skip "running as root and there is no 'postgres' user to run the server as"
  command -v runuser >/dev/null || skip "running as root without runuser"
fi

mkdir -p "$dir"
cd "$dir"
openssl rand -hex 16 > password
# A CA for this run only, and the server's certificate for localhost / 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=ironpanel-test-ca -keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
  -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext \
  -out server.crt 2>/dev/null
rm -f ca.key server.csr server.ext
chmod 600 server.key
[ "$(id -u)" = 0 ] && chown -R postgres "$dir"

"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U iron --pwfile="$dir/password" -E UTF8 --locale=C \
  --auth-local=reject --auth-host=scram-sha-256 --no-sync --no-instructions > "$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }

# A free port: the kernel's pick for a bound-then-closed socket can be taken again before the
# server binds it, so a start that fails to bind is retried on another port.
for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 30000))
  cat > "$dir/data/postgresql.auto.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
ssl = on
ssl_cert_file = '$dir/server.crt'
ssl_key_file = '$dir/server.key'
ssl_min_protocol_version = 'TLSv1.2'
password_encryption = 'scram-sha-256'
fsync = off
full_page_writes = off
synchronous_commit = off
shared_buffers = 16MB
max_connections = 60
CONF
  [ "$(id -u)" = 0 ] && chown postgres "$dir/data/postgresql.auto.conf"
  if "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 start >/dev/null 2>&1; then
    echo "$port" > "$dir/port"
    echo "port=$port"
    exit 0
  fi
  grep -q 'could not bind\|Address already in use' "$dir/log" 2>/dev/null || break
done
echo "PostgreSQL did not start; its log:" >&2
cat "$dir/log" >&2 || true
exit 1
