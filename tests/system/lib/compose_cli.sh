# Sourced by the tests/system/*.sh that render compose files without a Docker engine: finds
# `docker-compose` (v1) or `docker compose` (v2) and a way to turn the rendered config into
# JSON. Sets: compose (the command, an array), json_flag (an array: v2's --format json),
# py (a python3 with PyYAML), to_json (a function: stdin YAML or JSON -> stdout JSON),
# compose_render (below) and tmp (a private directory removed on exit).
# Exits 77 (skip) when neither is installed.
json_flag=()
if command -v docker-compose >/dev/null; then
  compose=(docker-compose)
  # v1 prints YAML only; it runs on python3 with PyYAML, so that interpreter can convert.
  py=$(head -n1 "$(command -v docker-compose)" | sed -n 's/^#! *\([^ ]*python[^ ]*\).*/\1/p')
  [ -n "$py" ] && "$py" -c 'import yaml' 2>/dev/null || py=python3
  to_json() { "$py" -c 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'; }
elif command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
  to_json() { cat; }
  json_flag=(--format json)
  py=python3
else
  printf 'SKIP: neither docker-compose nor docker compose is installed\n'
  exit 77
fi
command -v "$py" >/dev/null || { printf 'SKIP: python3 is needed to check the rendered config\n'; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/compose-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# compose_render PROJECT_DIR FILE OUT_JSON [env arguments...]: the config of FILE (a name
# inside PROJECT_DIR, which holds what the file refers to) rendered in PROJECT_DIR, with the
# environment changed as `env` would (-u NAME, NAME=value), into OUT_JSON; on failure the
# CLI's stderr and status 1.
compose_render() {
  local proj=$1 file=$2 out=$3; shift 3
  (cd "$proj" && env "$@" "${compose[@]}" -f "$file" config ${json_flag[@]+"${json_flag[@]}"}) \
    >"$proj/rendered" 2>"$proj/stderr" ||
    { cat "$proj/stderr" >&2; return 1; }
  to_json <"$proj/rendered" >"$out"
}
