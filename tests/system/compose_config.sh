#!/usr/bin/env bash
# Validates docker-compose.prod.yml without a Docker engine: `docker-compose config` (v1) or
# `docker compose config` (v2) must render it, with a .env made from .env.example, and the
# rendered service must carry the production hardening (issue 6). Then checks that the
# checks bite: copies of the compose file with one hardening key removed must be rejected.
#
# Exit 0 pass, 1 fail, 77 skip (no compose CLI installed).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
compose_file=$root/docker-compose.prod.yml
env_example=$root/.env.example

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

[ -f "$compose_file" ] || fail "no $compose_file"
[ -f "$env_example" ] || fail "no $env_example"

. "$(dirname "$0")/lib/compose_cli.sh"

# render COMPOSE_FILE OUT_JSON [VAR=value...]: renders in a private project dir with .env
# from .env.example, with only the given compose-level variables set.
render() {
  local file=$1 out=$2; shift 2
  local proj
  proj=$(mktemp -d "$tmp/project.XXXXXX")
  cp "$file" "$proj/docker-compose.prod.yml"
  cp "$env_example" "$proj/.env"
  compose_render "$proj" docker-compose.prod.yml "$out" -u IRON_PUBLISH -u IRON_IMAGE -u IRON_SUBNET -u BUILD_SHA "$@"
}

# check JSON EXPECT_PUBLISH EXPECT_SHA: prints one line per missing hardening key.
check() {
  "$py" - "$1" "$2" "$3" "$env_example" <<'PY'
import json, re, sys
path, want_publish, want_sha, env_example = sys.argv[1:5]
cfg = json.load(open(path))
errors = []
def err(msg): errors.append(msg)

services = cfg.get("services") or {}
if list(services) != ["ironpanel"]:
    err(f"want exactly one service 'ironpanel', got {list(services)}")
svc = services.get("ironpanel", {})

def duration_s(v):
    # "15s", "1m30s", "1m", or a number of nanoseconds (as some renderers emit)
    if isinstance(v, (int, float)): return v / 1e9
    total, rest = 0.0, str(v)
    for num, unit in re.findall(r"([0-9.]+)(h|ms|us|ns|m|s)", rest):
        total += float(num) * {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}[unit]
    return total

if svc.get("read_only") is not True: err("read_only: true is missing")
tmpfs = svc.get("tmpfs") or []
if isinstance(tmpfs, str): tmpfs = [tmpfs]
if not any(t == "/tmp" or t.startswith("/tmp:") for t in tmpfs): err("tmpfs does not hold /tmp")
if [c.upper() for c in svc.get("cap_drop") or []] != ["ALL"]: err(f"cap_drop must be [ALL], got {svc.get('cap_drop')}")
if not any(o in ("no-new-privileges:true", "no-new-privileges") for o in svc.get("security_opt") or []):
    err("security_opt lacks no-new-privileges:true")
if svc.get("restart") != "unless-stopped": err(f"restart must be unless-stopped, got {svc.get('restart')}")
grace = duration_s(svc.get("stop_grace_period", 0))
if grace < 10: err(f"stop_grace_period must be >= 10s (above the 8 s shutdown deadline), got {svc.get('stop_grace_period')}")
hc = svc.get("healthcheck") or {}
if hc.get("test") != ["CMD", "/ironpanel", "healthcheck"] or hc.get("disable"):
    err(f"healthcheck must run [CMD, /ironpanel, healthcheck], got {hc}")
if str(svc.get("user", "")) != "65532:65532": err(f"user must be 65532:65532, got {svc.get('user')}")

# env_file: .env is wired in: every active line of .env.example shows up in environment.
env = svc.get("environment") or {}
if isinstance(env, list): env = dict(e.split("=", 1) for e in env)
active = [l.strip() for l in open(env_example) if l.strip() and not l.lstrip().startswith("#")]
if not active: err(".env.example has no active setting to prove env_file is used")
for line in active:
    k, v = line.split("=", 1)
    if str(env.get(k)) != v: err(f"env_file .env not applied: {k} is {env.get(k)!r}, want {v!r}")
for k in ("IRON_LISTEN", "IRON_DATA_DIR", "IRON_DEPLOYMENT_MODE"):
    if k in env: err(f"{k} must not be set by the compose file or .env.example (the image sets it)")

# A named volume on /var/lib/iron, declared at top level.
named = None
for v in svc.get("volumes") or []:
    if isinstance(v, str):
        parts = v.split(":")
        if len(parts) >= 2 and parts[1] == "/var/lib/iron" and not parts[0].startswith(("/", ".")): named = parts[0]
    elif v.get("target") == "/var/lib/iron" and v.get("type", "volume") == "volume":
        named = v.get("source")
if not named: err("no named volume mounted on /var/lib/iron")
elif named not in (cfg.get("volumes") or {}): err(f"volume {named} is not declared under top-level volumes")

# Published port.
published = []
for p in svc.get("ports") or []:
    if isinstance(p, str):
        published.append(p.rsplit("/", 1)[0])
    else:
        published.append(f"{p.get('host_ip', '')}:{p.get('published')}:{p.get('target')}".lstrip(":"))
if published != [f"{want_publish}:8080"]: err(f"ports must be ['{want_publish}:8080'], got {published}")

# Build with BUILD_SHA.
build = svc.get("build") or {}
if (build.get("args") or {}).get("BUILD_SHA") != want_sha:
    err(f"build.args.BUILD_SHA must be {want_sha!r}, got {build.get('args')}")
if build.get("dockerfile", "Dockerfile") != "Dockerfile": err("build.dockerfile must be Dockerfile")

# Resource limits (service-level or deploy.resources.limits).
limits = ((svc.get("deploy") or {}).get("resources") or {}).get("limits") or {}
if not (svc.get("mem_limit") or limits.get("memory")): err("no memory limit")
if not (svc.get("cpus") or limits.get("cpus")): err("no CPU limit")
if not (svc.get("pids_limit") or limits.get("pids")): err("no pids limit")

# Log rotation.
logging = svc.get("logging") or {}
opts = logging.get("options") or {}
if logging.get("driver") != "json-file" or not opts.get("max-size") or not opts.get("max-file"):
    err(f"logging must be json-file with max-size and max-file, got {logging}")

print("\n".join(errors))
sys.exit(1 if errors else 0)
PY
}

# --- the real file, defaults ---------------------------------------------------------------
render "$compose_file" "$tmp/default.json" || fail "compose config failed for $compose_file"
out=$(check "$tmp/default.json" 127.0.0.1:8080 unknown) || { printf '%s\n' "$out" >&2; fail "rendered config lacks hardening (above)"; }
echo "compose_config: ${compose[*]} config renders the hardened service (defaults)"

# --- the real file, overrides ----------------------------------------------------------------
render "$compose_file" "$tmp/override.json" IRON_PUBLISH=0.0.0.0:9090 BUILD_SHA=0123abcd ||
  fail "compose config failed with IRON_PUBLISH/BUILD_SHA set"
out=$(check "$tmp/override.json" 0.0.0.0:9090 0123abcd) || { printf '%s\n' "$out" >&2; fail "overrides not applied (above)"; }
echo "compose_config: IRON_PUBLISH and BUILD_SHA override the port and the build arg"

# --- the checks bite: each hardening key removed must be caught -----------------------------
cases=0 bad=0
mutant() { # NAME EXPECT SED-SCRIPT
  local name=$1 expect=$2 script=$3
  cases=$((cases + 1))
  sed -e "$script" "$compose_file" > "$tmp/$name.yml"
  if cmp -s "$compose_file" "$tmp/$name.yml"; then
    echo "FAIL: self-test '$name': the mutation changed nothing" >&2; bad=$((bad + 1)); return
  fi
  if ! render "$tmp/$name.yml" "$tmp/$name.json" 2>/dev/null; then
    echo "FAIL: self-test '$name': the mutated file no longer renders; fix the mutation" >&2; bad=$((bad + 1)); return
  fi
  if out=$(check "$tmp/$name.json" 127.0.0.1:8080 unknown); then
    echo "FAIL: self-test '$name': a compose file without it passed" >&2; bad=$((bad + 1))
  elif ! grep -q -- "$expect" <<<"$out"; then
    echo "FAIL: self-test '$name': rejected, but not for '$expect': $out" >&2; bad=$((bad + 1))
  fi
}
mutant no-read-only   'read_only'          '/^ *read_only: true$/d'
mutant no-cap-drop    'cap_drop'           '/^ *cap_drop:$/,/^ *- ALL$/d'
mutant no-nnp         'no-new-privileges'  's/no-new-privileges:true/seccomp:unconfined/'
mutant short-grace    'stop_grace_period'  's/stop_grace_period: .*/stop_grace_period: 5s/'
mutant public-port    'ports'              's/IRON_PUBLISH:-127.0.0.1:8080/IRON_PUBLISH:-0.0.0.0:8080/'
mutant no-env-file    'env_file'           '/^ *env_file: \.env$/d'
mutant no-mem-limit   'memory limit'       '/^ *mem_limit:/d'
mutant no-log-rotate  'logging'            '/^ *max-file:/d'
mutant bind-data      'named volume'       's|- iron-data:/var/lib/iron|- ./data:/var/lib/iron|'
[ "$bad" = 0 ] || fail "$bad of $cases weakened compose files were not rejected"
echo "compose_config: all $cases weakened compose files rejected"
echo "PASS: compose_config"
