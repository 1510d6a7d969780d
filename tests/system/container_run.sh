#!/usr/bin/env bash
# Builds the runtime stage of the real Dockerfile with podman on a local stand-in for the
# distroless base, runs it the way production does (read-only root, tmpfs /tmp, uid 65532,
# a named volume for the data dir) and checks: /health, the SPA at /, an admin login, the
# image's own HEALTHCHECK, `backup` while serving and `restore` (refused while serving) as
# docs/deploy.md runs them, a clean SIGTERM stop (exit 0), the data surviving a new
# container, and the image defaults (IRON_LISTEN=0.0.0.0:8080, IRON_DATA_DIR) with the
# healthcheck deriving its URL from them.
#
#   IRONPANEL_BIN=build/ironpanel tests/system/container_run.sh
#
# Exit 0 pass, 1 fail, 77 skip (podman missing or unable to run containers here).
# Everything podman touches lives in a private temp dir (own --root/--runroot/--tmpdir).
# shellcheck disable=SC2015  # `test && test || fail` is the intended idiom here
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${IRONPANEL_BIN:-$root/build/ironpanel}
dockerfile=$root/Dockerfile
standin=localhost/ironpanel-standin:nonroot
image=localhost/ironpanel-test:runtime
admin_email=admin@example.com
admin_password="Ctr-test-${RANDOM}${RANDOM}-Passw0rd"

log() { printf 'container_run: %s\n' "$*"; }
skip() { printf 'SKIP: %s\n' "$*"; exit 77; }
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  if [ -n "${current:-}" ]; then
    printf -- '--- logs of %s ---\n' "$current" >&2
    pm logs "$current" >&2 2>&1 || true
  fi
  exit 1
}

command -v podman >/dev/null || skip "podman is not installed"
runc=$(PATH="$PATH:/usr/sbin:/sbin" command -v runc || true)
[ -n "$runc" ] || skip "runc is not installed (crun does not work on these machines)"
command -v curl >/dev/null || skip "curl is not installed"
[ -f "$bin" ] && [ -x "$bin" ] || fail "no executable ironpanel binary at $bin (set IRONPANEL_BIN)"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")   # podman -v needs an absolute path
[ -f "$dockerfile" ] || fail "no Dockerfile at $dockerfile"
# The runtime image has no libc and no loader: only a static binary can start in it.
if command -v file >/dev/null; then
  file -L "$bin" | grep -Eq 'statically linked|static-pie linked' ||
    fail "$bin is not statically linked: $(file -L "$bin")"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ironpanel-ctr.XXXXXX")
pm() {
  podman --root "$work/root" --runroot "$work/runroot" --tmpdir "$work/podman-tmp" \
    --storage-driver vfs --cgroup-manager cgroupfs --events-backend file --runtime "$runc" "$@"
}
containers=()
cleanup() {
  local rc=$? c
  set +e
  for c in "${containers[@]+"${containers[@]}"}"; do pm rm -f -t 0 "$c" >/dev/null 2>&1 || true; done
  pm volume rm -f iron-data >/dev/null 2>&1 || true
  pm rmi -f "$image" "$standin" >/dev/null 2>&1 || true
  # Anything podman left mounted under the work dir (shm, volumes) must go before rm -rf.
  if command -v findmnt >/dev/null; then
    findmnt -rn -o TARGET | grep -F "$work/" | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  fi
  rm -rf "$work" || printf 'container_run: warning: could not remove %s\n' "$work" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
mkdir -p "$work/podman-tmp"

# --health-interval disable: no systemd timer; the test runs the healthcheck itself.
run_opts=(--ulimit nofile=20000:20000 --ulimit nproc=4096:4096
          --read-only --tmpfs /tmp --user 65532 --health-interval disable)

# --- stand-in for gcr.io/distroless/static-debian12:nonroot ------------------------------
# Same shape as the real one where it matters: passwd/group with nonroot (65532), /tmp
# 1777, /home/nonroot 0700 as the working dir, root-owned /var/lib, no shell, no libc.
rootfs=$work/rootfs
mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/home/nonroot" "$rootfs/var/lib"
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/home/nonroot"
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > "$rootfs/etc/passwd"
printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' > "$rootfs/etc/group"
chown -R 65532:65532 "$rootfs/home/nonroot" 2>/dev/null || skip "cannot chown to 65532 here (not root)"
log "importing stand-in base $standin"
if ! tar -C "$rootfs" --numeric-owner -c . |
     pm import --change 'USER 65532:65532' --change 'WORKDIR /home/nonroot' \
       --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' - "$standin" >"$work/import.log" 2>&1; then
  skip "podman import does not work here: $(tail -n 3 "$work/import.log" | tr '\n' ' ')"
fi

# --- probe: can podman run a container at all here? ---------------------------------------
# The binary is known to be static, so podman's own codes (125 podman error, 126 cannot
# invoke, 127 not found) mean the machine cannot run containers; anything else is the binary.
set +e
pm run --rm --network host "${run_opts[@]}" --no-healthcheck -v "$bin:/probe:ro" --entrypoint /probe "$standin" version >"$work/probe.log" 2>&1
probe_rc=$?
set -e
case $probe_rc in
  0) log "probe ok: $(grep -v systemd "$work/probe.log" | head -n 1)" ;;
  125|126|127) skip "podman cannot run containers here (exit $probe_rc): $(grep -v systemd "$work/probe.log" | tail -n 3 | tr '\n' ' ')" ;;
  *) fail "'ironpanel version' exited $probe_rc in the stand-in: $(cat "$work/probe.log")" ;;
esac

# --- build the runtime stage of the real Dockerfile ---------------------------------------
# The runtime stage takes /out/ironpanel and /out/data from the stage named "build";
# --build-context build=DIR stands in for that stage with the prebuilt binary, so the
# frontend and build stages (which need registries) are skipped and the runtime stage's
# own instructions are what get built. --format docker keeps HEALTHCHECK (OCI drops it).
bctx=$work/build-stage
mkdir -p "$bctx/out/data" "$work/context"
cp "$bin" "$bctx/out/ironpanel"
chmod 0755 "$bctx/out/ironpanel"
log "building the runtime stage of $dockerfile"
pm build --format docker --pull=never --network host --target runtime \
  --build-context "build=$bctx" \
  --build-arg "RUNTIME_IMAGE=$standin" --build-arg BUILD_SHA=container-test \
  -f "$dockerfile" -t "$image" "$work/context" >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; fail "podman build --target runtime failed"; }

inspect() { pm image inspect --format "$1" "$image"; }
[ "$(inspect '{{.Config.User}}')" = "65532:65532" ] || fail "image user is '$(inspect '{{.Config.User}}')', want 65532:65532"
[ "$(inspect '{{json .Config.Entrypoint}}')" = '["/ironpanel"]' ] || fail "entrypoint is $(inspect '{{json .Config.Entrypoint}}')"
[ "$(inspect '{{json .Config.Cmd}}')" = '["serve"]' ] || fail "cmd is $(inspect '{{json .Config.Cmd}}')"
[ "$(inspect '{{json .HealthCheck.Test}}')" = '["CMD","/ironpanel","healthcheck"]' ] ||
  fail "healthcheck is $(inspect '{{json .HealthCheck}}')"
[ "$(inspect '{{index .Config.Labels "org.opencontainers.image.revision"}}')" = container-test ] ||
  fail "revision label does not carry BUILD_SHA"
# Only the binary and the data dir's mount point were added on top of the base, and the
# mount point belongs to 65532 (Docker gives a fresh named volume that ownership).
pm create --name ironpanel-inspect "$image" >/dev/null
containers+=(ironpanel-inspect)
pm export ironpanel-inspect | tar -tv --numeric-owner -f - > "$work/image-files.txt"
grep -Eq '^-rwxr-xr-x 0/0 .* \./ironpanel$|^-rwxr-xr-x 0/0 .* ironpanel$' "$work/image-files.txt" ||
  fail "/ironpanel is not a root-owned 0755 file in the image: $(grep ironpanel "$work/image-files.txt")"
grep -Eq '^d[rwx-]{9} 65532/65532 .* (\./)?var/lib/iron/?$' "$work/image-files.txt" ||
  fail "/var/lib/iron is not owned by 65532 in the image: $(grep 'var/lib' "$work/image-files.txt")"
pm rm ironpanel-inspect >/dev/null 2>&1

free_port() {
  local p _
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  fail "no free port found"
}

# Waits (bounded) until URL answers; fails early if the container exits.
wait_http() {
  local url=$1 _
  for _ in $(seq 1 150); do
    curl -fsS --max-time 2 -o /dev/null "$url" 2>/dev/null && return 0
    [ "$(pm inspect -f '{{.State.Running}}' "$current")" = true ] || fail "container exited before $url answered"
    sleep 0.1
  done
  fail "$url did not answer within ~20s"
}

login() { # prints the HTTP status, body to $work/login.json
  curl -sS --max-time 5 -o "$work/login.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$base/api/v1/auth/login"
}

stop_clean() {
  local c=$1 code
  pm stop -t 10 "$c" >/dev/null 2>"$work/stop.log" || fail "podman stop $c failed: $(cat "$work/stop.log")"
  code=$(pm inspect -f '{{.State.ExitCode}}' "$c")
  [ "$code" = 0 ] || fail "container $c exited $code after SIGTERM (want 0)"
}

pm volume create iron-data >/dev/null

# --- 1. first start: bootstrap the admin, serve ------------------------------------------
port=$(free_port)
base=http://127.0.0.1:$port
current=ironpanel-first
log "starting $current on 127.0.0.1:$port"
pm run -d --name "$current" --network host "${run_opts[@]}" -v iron-data:/var/lib/iron \
  -e "IRON_LISTEN=127.0.0.1:$port" -e "IRON_ADMIN_EMAIL=$admin_email" -e "IRON_ADMIN_PASSWORD=$admin_password" \
  "$image" >/dev/null 2>"$work/run.log" || { cat "$work/run.log" >&2; fail "podman run failed"; }
containers+=("$current")
wait_http "$base/health"

health=$(curl -fsS --max-time 5 "$base/health") || fail "GET /health failed"
for key in status version build_sha uptime_s checks database; do
  grep -Eq "\"$key\" *:" <<<"$health" || fail "/health has no \"$key\": $health"
done
log "/health: $health"
pm logs "$current" 2>/dev/null | grep -E '"msg" *: *"listening"' | grep -Eq "\"addr\" *: *\"127\.0\.0\.1:$port\"" ||
  fail "no JSON 'listening' log line with addr 127.0.0.1:$port"

spa_type=$(curl -fsS --max-time 5 -o "$work/index.html" -w '%{content_type}' "$base/") || fail "GET / failed"
grep -qi '^text/html' <<<"$spa_type" || fail "GET / content-type is '$spa_type', want text/html"
grep -qi '<!doctype html' "$work/index.html" || fail "GET / is not the SPA's index.html"

status=$(login "$admin_email" "$admin_password")
[ "$status" = 200 ] || fail "login returned $status: $(cat "$work/login.json")"
grep -Eq '"user_token" *: *"[^"]+"' "$work/login.json" || fail "login response has no user_token: $(cat "$work/login.json")"
status=$(login "$admin_email" "not-the-password")
[ "$status" != 200 ] || fail "login with a wrong password returned 200"
log "/ serves the SPA, admin login ok, wrong password refused ($status)"

pm healthcheck run "$current" >"$work/hc.log" 2>&1 || fail "podman healthcheck run failed: $(cat "$work/hc.log")"
log "image HEALTHCHECK passes"

# Everything the server wrote is owned by the runtime user.
volume_dir=$(pm volume inspect -f '{{.Mountpoint}}' iron-data)
[ -n "$(ls -A "$volume_dir")" ] || fail "the server wrote nothing into the data volume"
foreign=$(find "$volume_dir" -mindepth 1 \( ! -uid 65532 -o ! -gid 65532 \) -print)
[ -z "$foreign" ] || fail "files in the data volume not owned by 65532: $foreign"
# The generated keys (jwt.key, master.key) are private to the server.
keys=$(find "$volume_dir" -maxdepth 1 -name '*.key' -type f)
[ -n "$keys" ] || fail "no generated *.key files in the data volume: $(find "$volume_dir" -mindepth 1 -maxdepth 1 -printf '%f ')"
loose=$(find "$volume_dir" -maxdepth 1 -name '*.key' -type f ! -perm 0600)
[ -z "$loose" ] || fail "key files not mode 0600: $loose"

# Backup while serving, from a second container on the same volume (docs/deploy.md runbook);
# a restore must refuse while the server holds the data dir.
mkdir -p "$work/backups"
chown 65532:65532 "$work/backups"
pm run --rm --network host "${run_opts[@]}" --no-healthcheck -v iron-data:/var/lib/iron -v "$work/backups:/backups" \
  "$image" backup --out /backups/iron.db >"$work/backup.log" 2>&1 || fail "backup while serving failed: $(cat "$work/backup.log")"
[ -s "$work/backups/iron.db" ] || fail "backup wrote no /backups/iron.db"
if pm run --rm --network host "${run_opts[@]}" --no-healthcheck -v iron-data:/var/lib/iron -v "$work/backups:/backups:ro" \
     "$image" restore --from /backups/iron.db >"$work/restore.log" 2>&1; then
  fail "restore succeeded while the server was running: $(cat "$work/restore.log")"
fi
grep -qi 'in use' "$work/restore.log" || fail "restore while serving failed, but not for the lock: $(cat "$work/restore.log")"
log "backup while serving ok; restore while serving refused"

stop_clean "$current"
log "SIGTERM stop: exit 0"

pm run --rm --network host "${run_opts[@]}" --no-healthcheck -v iron-data:/var/lib/iron -v "$work/backups:/backups:ro" \
  "$image" restore --from /backups/iron.db >"$work/restore.log" 2>&1 || fail "restore of a stopped data dir failed: $(cat "$work/restore.log")"
log "restore into the stopped data dir ok"

# --- 2. a new container on the same volume: data intact ---------------------------------
# No admin variables this time: the login below can only work from the volume's (restored)
# data.
current=ironpanel-second
port=$(free_port)
base=http://127.0.0.1:$port
pm run -d --name "$current" --network host "${run_opts[@]}" -v iron-data:/var/lib/iron -e "IRON_LISTEN=127.0.0.1:$port" \
  "$image" >/dev/null 2>"$work/run.log" || { cat "$work/run.log" >&2; fail "podman run failed"; }
containers+=("$current")
wait_http "$base/health/ready"
status=$(login "$admin_email" "$admin_password")
[ "$status" = 200 ] || fail "after restart, login returned $status: $(cat "$work/login.json")"
stop_clean "$current"
log "restart on the restored volume: admin still logs in; stop exit 0"

# --- 3. image defaults, in a private network namespace ------------------------------------
# No IRON_LISTEN/IRON_DATA_DIR given: the image's 0.0.0.0:8080 and /var/lib/iron apply, and
# `ironpanel healthcheck` must derive 127.0.0.1:8080 from them, as under Docker.
current=ironpanel-defaults
pm run -d --name "$current" --network none "${run_opts[@]}" -v iron-data:/var/lib/iron \
  "$image" >/dev/null 2>"$work/run.log" || { cat "$work/run.log" >&2; fail "podman run failed"; }
containers+=("$current")
healthy=no
for _ in $(seq 1 150); do
  if pm healthcheck run "$current" >/dev/null 2>&1; then healthy=yes; break; fi
  [ "$(pm inspect -f '{{.State.Running}}' "$current")" = true ] || fail "container with image defaults exited"
  sleep 0.1
done
[ "$healthy" = yes ] || fail "HEALTHCHECK never passed with the image defaults"
pm logs "$current" 2>/dev/null | grep -E '"msg" *: *"listening"' | grep -Eq '"addr" *: *"0\.0\.0\.0:8080"' ||
  fail "with the image defaults the server did not log listening on 0.0.0.0:8080"
stop_clean "$current"
current=
log "image defaults: listens on 0.0.0.0:8080, healthcheck passes, stop exit 0"

echo "PASS: container_run"
