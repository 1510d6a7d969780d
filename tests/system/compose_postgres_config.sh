#!/usr/bin/env bash
# Validates deploy/docker-compose.postgres.yml (docs/deploy.md, "Several replicas on
# PostgreSQL") without a Docker engine: the compose CLI must render it, and the rendered
# topology must be the documented one: PostgreSQL, a one-shot `migrate` before any replica,
# three hardened replicas with the same database URL and keys (from secrets, never inline)
# and no published port, and a load balancer that publishes the only port and spreads over
# all three (deploy/nginx-lb.conf). Then checks that the checks bite, on weakened copies.
#
# Exit 0 pass, 1 fail, 77 skip (no compose CLI installed).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
compose_file=$root/deploy/docker-compose.postgres.yml
lb_conf=$root/deploy/nginx-lb.conf
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
[ -f "$compose_file" ] || fail "no $compose_file"
[ -f "$lb_conf" ] || fail "no $lb_conf"

. "$(dirname "$0")/lib/compose_cli.sh"

# render COMPOSE_FILE LB_CONF OUT_JSON: renders in a private project dir holding the
# secret files the compose file names (placeholders) and the load balancer's config.
render() {
  local proj
  proj=$(mktemp -d "$tmp/project.XXXXXX")
  cp "$1" "$proj/docker-compose.postgres.yml"
  cp "$2" "$proj/nginx-lb.conf"
  mkdir "$proj/secrets"
  for s in database_url postgres_password jwt_secret master_key ip_token_key; do echo placeholder >"$proj/secrets/$s"; done
  compose_render "$proj" docker-compose.postgres.yml "$3" -u IRON_PUBLISH -u IRON_IMAGE || return 1
  cp "$proj/nginx-lb.conf" "$3.lb"
}

# check JSON: prints one line per broken rule.
check() {
  "$py" - "$1" "$1.lb" <<'PY'
import json, re, sys
cfg = json.load(open(sys.argv[1]))
lb_conf = open(sys.argv[2]).read()
errors = []
err = errors.append
services = cfg.get("services") or {}
replicas = sorted(n for n in services if re.fullmatch(r"ironpanel-\d+", n))
if len(replicas) != 3: err(f"want 3 ironpanel replicas, got {replicas}")
for name in ("postgres", "migrate", "lb"):
    if name not in services: err(f"no {name} service")

def env_of(svc):
    env = svc.get("environment") or {}
    return dict(e.split("=", 1) for e in env) if isinstance(env, list) else env

def secret_names(svc):
    return {s if isinstance(s, str) else s.get("source") for s in svc.get("secrets") or []}

def depends(svc):
    d = svc.get("depends_on") or {}
    return {k: "service_started" for k in d} if isinstance(d, list) else {k: (v or {}).get("condition") for k, v in d.items()}

shared = ("IRON_DATABASE_URL_FILE", "IRON_JWT_SECRET_FILE", "IRON_SECRETS_MASTER_KEY_FILE", "IRON_IP_TOKEN_KEY_FILE")
declared = cfg.get("secrets") or {}
for name in replicas + ["migrate"]:
    svc = services.get(name, {})
    env = env_of(svc)
    for k in shared:
        v = env.get(k, "")
        if not v.startswith("/run/secrets/"): err(f"{name}: {k} must name a file under /run/secrets, got {v!r}")
        elif v.rsplit("/", 1)[1] not in secret_names(svc): err(f"{name}: {k} names a secret the service does not mount")
    for k in ("IRON_DATABASE_URL", "IRON_JWT_SECRET", "IRON_SECRETS_MASTER_KEY", "IRON_IP_TOKEN_KEY"):
        if k in env: err(f"{name}: {k} inline: secrets come from files")
    for s in secret_names(svc):
        if s not in declared: err(f"{name}: secret {s} is not declared at top level")
for name in replicas:
    svc = services.get(name, {})
    if env_of(svc) != env_of(services.get(replicas[0], {})): err(f"{name}: environment differs from {replicas[0]}")
    if svc.get("ports"): err(f"{name}: publishes a port (only the load balancer may)")
    if svc.get("read_only") is not True: err(f"{name}: read_only: true is missing")
    if [c.upper() for c in svc.get("cap_drop") or []] != ["ALL"]: err(f"{name}: cap_drop must be [ALL]")
    if str(svc.get("user", "")) != "65532:65532": err(f"{name}: user must be 65532:65532")
    hc = svc.get("healthcheck") or {}
    if hc.get("test") != ["CMD", "/ironpanel", "healthcheck"] or hc.get("disable"): err(f"{name}: no healthcheck")
    dep = depends(svc)
    if dep.get("migrate") != "service_completed_successfully": err(f"{name}: must wait for migrate to complete")
    if dep.get("postgres") != "service_healthy": err(f"{name}: must wait for a healthy postgres")
    if any((isinstance(v, str) and v.split(":")[1:2] == ["/var/lib/iron"]) or (isinstance(v, dict) and v.get("target") == "/var/lib/iron")
           for v in svc.get("volumes") or []):
        err(f"{name}: a volume on the data dir: replicas keep no state")
mig = services.get("migrate", {})
if (mig.get("command") or [None])[0] != "migrate": err(f"migrate: command must be migrate, got {mig.get('command')}")
if depends(mig).get("postgres") != "service_healthy": err("migrate: must wait for a healthy postgres")
pg = services.get("postgres", {})
if not any((isinstance(v, str) and v.split(":")[1:2] == ["/var/lib/postgresql/data"]) or (isinstance(v, dict) and v.get("target") == "/var/lib/postgresql/data")
           for v in pg.get("volumes") or []):
    err("postgres: no volume for its data")
if "POSTGRES_PASSWORD" in env_of(pg) or "POSTGRES_PASSWORD_FILE" not in env_of(pg): err("postgres: password must come from a file")
if not (pg.get("healthcheck") or {}).get("test"): err("postgres: no healthcheck")
lb = services.get("lb", {})
ports = lb.get("ports") or []
if len(ports) != 1: err(f"lb: must publish exactly one port, got {ports}")
for name in replicas:
    if not re.search(r"^\s*server\s+" + re.escape(name) + r":8080\b", lb_conf, re.M): err(f"lb: {name} is not in the upstream")
if not re.search(r"location = /api/v1/events/stream \{[^}]*proxy_buffering off;", lb_conf): err("lb: the event stream is buffered")
for name in [n for n, s in services.items() if n != "lb"]:
    if (services[name].get("ports") or []): err(f"{name}: publishes a port")
print("\n".join(errors))
sys.exit(1 if errors else 0)
PY
}

# The secrets the file's header creates in deploy/secrets/ stay out of git and of the image.
grep -qx '/deploy/secrets/' "$root/.gitignore" || fail ".gitignore does not exclude /deploy/secrets/"
grep -qx '/deploy/secrets' "$root/.dockerignore" || fail ".dockerignore does not exclude /deploy/secrets"

render "$compose_file" "$lb_conf" "$tmp/real.json" || fail "compose config failed for $compose_file"
out=$(check "$tmp/real.json") || { printf '%s\n' "$out" >&2; fail "the rendered topology is not the documented one (above)"; }
echo "compose_postgres_config: ${compose[*]} config renders postgres, migrate, 3 replicas and the load balancer"

# --- the checks bite: each weakened copy must be rejected, for the right reason ------------
cases=0 bad=0
mutant() { # NAME EXPECT FILE(compose|lb) SED-SCRIPT
  local name=$1 expect=$2 which=$3 script=$4 c=$compose_file l=$lb_conf
  cases=$((cases + 1))
  if [ "$which" = compose ]; then sed -e "$script" "$compose_file" >"$tmp/$name.yml"; c=$tmp/$name.yml
  else sed -e "$script" "$lb_conf" >"$tmp/$name.conf"; l=$tmp/$name.conf; fi
  if cmp -s "$c" "$compose_file" && cmp -s "$l" "$lb_conf"; then
    echo "FAIL: self-test '$name': the mutation changed nothing" >&2; bad=$((bad + 1)); return
  fi
  if ! render "$c" "$l" "$tmp/$name.json" 2>/dev/null; then
    echo "FAIL: self-test '$name': the mutated file no longer renders; fix the mutation" >&2; bad=$((bad + 1)); return
  fi
  if out=$(check "$tmp/$name.json"); then
    echo "FAIL: self-test '$name': a weakened setup passed" >&2; bad=$((bad + 1))
  elif ! grep -q -- "$expect" <<<"$out"; then
    echo "FAIL: self-test '$name': rejected, but not for '$expect': $out" >&2; bad=$((bad + 1))
  fi
}
mutant two-replicas     'want 3 ironpanel replicas'  compose '/ironpanel-3/d'
mutant no-migrate-wait  'wait for migrate'           compose '/^    migrate:$/,/^      condition: service_completed_successfully$/d'
mutant inline-url       'IRON_DATABASE_URL inline'   compose 's|IRON_DATABASE_URL_FILE: /run/secrets/database_url|IRON_DATABASE_URL: postgresql://u:p@h/d|'
mutant no-master-key    'IRON_SECRETS_MASTER_KEY_FILE' compose '/IRON_SECRETS_MASTER_KEY_FILE/d'
mutant writable-root    'read_only'                  compose '/^  read_only: true$/d'
mutant lb-two-upstreams 'ironpanel-3 is not in the upstream' lb '/server ironpanel-3:8080/d'
mutant lb-buffered      'event stream is buffered'   lb '/proxy_buffering off;/d'
[ "$bad" = 0 ] || fail "$bad of $cases weakened setups were not rejected"
echo "compose_postgres_config: all $cases weakened setups rejected"
echo "PASS: compose_postgres_config"
