#!/usr/bin/env bash
# Lints ./Dockerfile and ./.dockerignore for the shipping rules (issue 6), then proves the
# linter itself rejects deliberately broken variants, so it cannot pass by accident.
#
# Rules, checked on a parse of the Dockerfile into stages (continuations joined, comments
# dropped, one record per instruction):
#   - a global `ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot` before the first FROM;
#   - the final stage is `FROM ${RUNTIME_IMAGE} AS runtime` (tests build it with --target runtime);
#   - the final stage only declares metadata and copies files: no RUN, ADD, SHELL, ONBUILD…;
#     its COPYs come from an earlier stage and are exactly /ironpanel plus the data volume's
#     mount point (chowned to the runtime user);
#   - USER is numeric and non-root; ENV sets IRON_LISTEN=0.0.0.0:8080 and
#     IRON_DATA_DIR=/var/lib/iron; VOLUME /var/lib/iron; EXPOSE 8080;
#   - HEALTHCHECK, ENTRYPOINT and CMD are exec form (JSON arrays: there is no shell):
#     ["/ironpanel","healthcheck"], ["/ironpanel"], ["serve"];
#   - OCI labels source, revision (= BUILD_SHA) and version; ARG VERSION matches CMake's
#     project VERSION when CMakeLists.txt declares one;
#   - the build stage takes BUILD_SHA, runs scripts/bootstrap, copies frontend/dist from the
#     frontend stage before running CMake, and runs the unit tests; npm and apt use cache mounts;
#   - `COPY --from=X` names an earlier stage; stage names are unique;
#   - .dockerignore keeps node_modules, build trees, data and .env out of the context.
#
# Usage: tests/system/dockerfile_lint.sh [DOCKERFILE [DOCKERIGNORE]]   exit 0 pass, 1 fail
#        DOCKERFILE_LINT_VERBOSE=1 shows why each broken variant was rejected.
# shellcheck disable=SC2015,SC2016  # `a && b || err` idiom; literal ${...} in sed scripts
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
dockerfile=${1:-$root/Dockerfile}
dockerignore=${2:-$root/.dockerignore}
cmakelists=$root/CMakeLists.txt

# parse FILE: one line per instruction: STAGE<TAB>INSTRUCTION<TAB>ARGS. STAGE 0 holds what
# comes before the first FROM; each FROM opens stage N+1.
parse() {
  awk '
    function emit(s,   instr, args) {
      sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s)
      if (s == "") return
      instr = s; sub(/[ \t].*$/, "", instr); instr = toupper(instr)
      args = substr(s, length(instr) + 1); sub(/^[ \t]+/, "", args); gsub(/[ \t]+/, " ", args)
      if (instr == "FROM") stage++
      printf "%d\t%s\t%s\n", stage, instr, args
    }
    { line = $0; sub(/\r$/, "", line) }
    line ~ /^[ \t]*#/ { next }                       # comments (also inside continuations)
    line ~ /^[ \t]*$/ { next }                       # blank lines (also inside continuations)
    {
      buf = cont ? buf " " line : line
      if (buf ~ /\\[ \t]*$/) { sub(/\\[ \t]*$/, "", buf); cont = 1; next }
      cont = 0; emit(buf); buf = ""
    }
    END { if (cont) emit(buf) }
  ' "$1"
}

# lint DOCKERFILE DOCKERIGNORE: prints one line per violation; returns 1 if any.
lint() {
  local df=$1 di=$2
  local -a st=() in=() ar=() names=()
  local errs=() n=0 s i last=0 a
  err() { errs+=("$*"); }

  [ -f "$df" ] || { echo "no Dockerfile at $df"; return 1; }
  while IFS=$'\t' read -r s i a; do
    st[n]=$s; in[n]=$i; ar[n]=$a; n=$((n + 1))
    [ "$s" -gt "$last" ] && last=$s
  done < <(parse "$df")
  [ "$last" -ge 1 ] || { echo "no FROM instruction"; return 1; }

  # Stage names, in order; heredocs are not understood by this parser, so refuse them.
  for ((k = 0; k < n; k++)); do
    if [[ "${ar[k]}" == *"<<"* && "${in[k]}" =~ ^(RUN|COPY|ADD)$ ]]; then
      err "heredoc in ${in[k]} (stage ${st[k]}) is not supported by this linter"
    fi
    [ "${in[k]}" = FROM ] || continue
    local name=""
    if [[ " ${ar[k]} " =~ \ [Aa][Ss]\ ([^[:space:]]+)\  ]]; then name=${BASH_REMATCH[1]}; fi
    for prev in "${names[@]+"${names[@]}"}"; do
      [ -n "$name" ] && [ "$prev" = "$name" ] && err "stage name '$name' used twice"
    done
    names[st[k]]=${name:-"#${st[k]}"}
  done

  # Global ARG RUNTIME_IMAGE with the distroless default.
  local has_arg=no
  for ((k = 0; k < n; k++)); do
    [ "${st[k]}" = 0 ] && [ "${in[k]}" = ARG ] &&
      [ "${ar[k]}" = "RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot" ] && has_arg=yes
  done
  [ "$has_arg" = yes ] || err "missing global 'ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot' before the first FROM"

  # Final stage header.
  local fin_from="" 
  for ((k = 0; k < n; k++)); do
    [ "${st[k]}" = "$last" ] && [ "${in[k]}" = FROM ] && fin_from=${ar[k]}
  done
  [[ "$fin_from" =~ ^(--platform=[^[:space:]]+ )?\$(\{RUNTIME_IMAGE\}|RUNTIME_IMAGE)\ [Aa][Ss]\ runtime$ ]] ||
    err "final stage must be 'FROM \${RUNTIME_IMAGE} AS runtime', got 'FROM $fin_from'"

  # Final stage body.
  local users=() copies_bin=0 copies_vol=0 env_listen=no env_data=no volume=no expose=no
  local hc="" ep="" cmd="" labels=""
  local json_array='^\[ *"[^"]*"( *, *"[^"]*")* *\]$'
  for ((k = 0; k < n; k++)); do
    [ "${st[k]}" = "$last" ] || continue
    a=${ar[k]}
    case ${in[k]} in
      FROM) ;;
      ARG|STOPSIGNAL|WORKDIR) ;;
      LABEL) labels+=" $a" ;;
      USER) users+=("$a") ;;
      ENV)
        [[ " $a " == *" IRON_LISTEN=0.0.0.0:8080 "* ]] && env_listen=yes
        [[ " $a " == *" IRON_DATA_DIR=/var/lib/iron "* ]] && env_data=yes ;;
      VOLUME) [[ "$a" =~ ^(/var/lib/iron|\[ *\"/var/lib/iron\" *\])$ ]] && volume=yes ;;
      EXPOSE) [[ " $a " == *" 8080 "* || " $a " == *" 8080/tcp "* ]] && expose=yes ;;
      HEALTHCHECK) hc=$a ;;
      ENTRYPOINT) ep=$a ;;
      CMD) cmd=$a ;;
      COPY)
        local from="" chown="" rest=$a
        while [[ "$rest" =~ ^--([a-z-]+)(=([^[:space:]]*))?\ (.*)$ ]]; do
          case ${BASH_REMATCH[1]} in
            from) from=${BASH_REMATCH[3]} ;;
            chown) chown=${BASH_REMATCH[3]} ;;
            chmod|link) ;;
            *) err "final stage COPY has unexpected flag --${BASH_REMATCH[1]}" ;;
          esac
          rest=${BASH_REMATCH[4]}
        done
        local dest=${rest##* }
        if [ -z "$from" ]; then
          err "final stage COPY must take from an earlier stage (--from=...): COPY $a"
        else
          local known=no
          for ((j = 1; j < last; j++)); do [ "${names[j]}" = "$from" ] && known=yes; done
          [ "$known" = yes ] || err "final stage COPY --from=$from names no earlier stage"
        fi
        case $dest in
          /ironpanel) copies_bin=$((copies_bin + 1)) ;;
          /var/lib/iron|/var/lib/iron/)
            copies_vol=$((copies_vol + 1))
            [ "$chown" = 65532:65532 ] || err "the data dir mount point must be COPY --chown=65532:65532, got '--chown=$chown'" ;;
          *) err "final stage may only copy /ironpanel (and the data dir mount point), not: COPY $a" ;;
        esac ;;
      *) err "instruction ${in[k]} is not allowed in the final stage (no shell, no package manager): ${in[k]} $a" ;;
    esac
  done
  [ "$copies_bin" = 1 ] || err "final stage must COPY the binary to /ironpanel exactly once (found $copies_bin)"
  [ "$copies_vol" -le 1 ] || err "data dir mount point copied $copies_vol times"
  if [ ${#users[@]} -eq 0 ]; then
    err "final stage has no USER"
  else
    local u=${users[${#users[@]}-1]}
    if [[ "$u" =~ ^([0-9]+)(:([0-9]+))?$ ]]; then
      [ "${BASH_REMATCH[1]}" != 0 ] || err "USER $u runs as root"
      [ "${BASH_REMATCH[3]:-1}" != 0 ] || err "USER $u has group root"
    else
      err "USER must be numeric uid:gid (non-root), got '$u'"
    fi
  fi
  [ "$env_listen" = yes ] || err "final stage must set ENV IRON_LISTEN=0.0.0.0:8080"
  [ "$env_data" = yes ] || err "final stage must set ENV IRON_DATA_DIR=/var/lib/iron"
  [ "$volume" = yes ] || err "final stage must declare VOLUME /var/lib/iron"
  [ "$expose" = yes ] || err "final stage must EXPOSE 8080"
  # HEALTHCHECK [--opt=val ...] CMD ["/ironpanel","healthcheck", ...]
  local hc_cmd=$hc
  while [[ "$hc_cmd" =~ ^--[a-z-]+=[^[:space:]]+\ (.*)$ ]]; do hc_cmd=${BASH_REMATCH[1]}; done
  if [[ "$hc_cmd" =~ ^CMD\ (.*)$ ]]; then
    hc_cmd=${BASH_REMATCH[1]}
    { [[ "$hc_cmd" =~ $json_array ]] && [[ "$hc_cmd" =~ ^\[\ *\"/ironpanel\"\ *,\ *\"healthcheck\" ]]; } ||
      err "HEALTHCHECK must be exec form CMD [\"/ironpanel\",\"healthcheck\"], got: $hc"
  else
    err "final stage needs HEALTHCHECK CMD [\"/ironpanel\",\"healthcheck\"], got: '${hc}'"
  fi
  [[ "$ep" =~ $json_array ]] && [[ "$ep" =~ ^\[\ *\"/ironpanel\"\ *\]$ ]] ||
    err "ENTRYPOINT must be exec form [\"/ironpanel\"], got: '$ep'"
  [[ "$cmd" =~ $json_array ]] && [[ "$cmd" =~ ^\[\ *\"serve\"\ *\]$ ]] ||
    err "CMD must be exec form [\"serve\"], got: '$cmd'"
  for l in source version; do
    [[ "$labels" == *"org.opencontainers.image.$l="* ]] || err "missing LABEL org.opencontainers.image.$l"
  done
  [[ "$labels" =~ org\.opencontainers\.image\.revision=\"?\$\{?BUILD_SHA ]] ||
    err "LABEL org.opencontainers.image.revision must be \${BUILD_SHA}"

  # ARG VERSION agrees with CMake's project VERSION.
  if [ -f "$cmakelists" ]; then
    local cm_version df_version=""
    cm_version=$(tr '\n' ' ' < "$cmakelists" | grep -oE 'project *\([^)]*VERSION +[0-9][0-9.]*' | grep -oE '[0-9][0-9.]*$' | head -n1 || true)
    for ((k = 0; k < n; k++)); do
      [ "${st[k]}" = "$last" ] && [[ "${ar[k]}" =~ ^VERSION=(.*)$ ]] && [ "${in[k]}" = ARG ] && df_version=${BASH_REMATCH[1]}
    done
    if [ -n "$cm_version" ] && [ "$df_version" != "$cm_version" ]; then
      err "ARG VERSION=$df_version in the final stage differs from CMake project VERSION $cm_version"
    fi
  fi

  # Frontend and build stages.
  local fe="" be=""
  for ((j = 1; j <= last; j++)); do
    [ "${names[j]}" = frontend ] && fe=$j
    [ "${names[j]}" = build ] && be=$j
  done
  if [ -z "$fe" ]; then err "no stage named 'frontend'"; fi
  if [ -z "$be" ]; then err "no stage named 'build'"; fi
  local npm_ci=no npm_build=no npm_cache=no apt_cache=no bootstrap=no sha_arg=no sha_cmake=no ctest=no
  local dist_at=-1 cmake_at=-1
  for ((k = 0; k < n; k++)); do
    a=${ar[k]}
    if [ "${st[k]}" = "${fe:-x}" ] && [ "${in[k]}" = RUN ]; then
      [[ "$a" == *"npm ci"* ]] && npm_ci=yes
      [[ "$a" == *"npm run build"* ]] && npm_build=yes
      [[ "$a" =~ --mount=type=cache,[^\ ]*target=/root/\.npm ]] && npm_cache=yes
    fi
    if [ "${st[k]}" = "${be:-x}" ]; then
      case ${in[k]} in
        ARG) [[ "$a" =~ ^BUILD_SHA(=|$) ]] && sha_arg=yes ;;
        COPY) [[ "$a" =~ --from=frontend\ .*/dist\ +([^[:space:]]*)frontend/dist/?$ ]] && dist_at=$k ;;
        RUN)
          [[ "$a" =~ --mount=type=cache,[^\ ]*target=/var/cache/apt ]] && apt_cache=yes
          [[ "$a" == *"scripts/bootstrap"* ]] && bootstrap=yes
          if [[ "$a" =~ cmake\ +-S ]]; then
            [ "$cmake_at" -ge 0 ] || cmake_at=$k
            [[ "$a" =~ -DIRON_BUILD_SHA=\$\{?BUILD_SHA ]] && sha_cmake=yes
          fi
          [[ "$a" =~ ctest\ .*-L\ +unit ]] && ctest=yes ;;
      esac
    fi
  done
  [ "$npm_ci" = yes ] || err "frontend stage must run 'npm ci'"
  [ "$npm_build" = yes ] || err "frontend stage must run 'npm run build'"
  [ "$npm_cache" = yes ] || err "frontend stage's npm must use a cache mount (target=/root/.npm)"
  [ "$apt_cache" = yes ] || err "build stage's apt must use a cache mount (target=/var/cache/apt)"
  [ "$bootstrap" = yes ] || err "build stage must run scripts/bootstrap"
  [ "$sha_arg" = yes ] || err "build stage must declare ARG BUILD_SHA"
  [ "$sha_cmake" = yes ] || err "build stage must pass -DIRON_BUILD_SHA=\${BUILD_SHA} to cmake"
  [ "$ctest" = yes ] || err "build stage must run the unit tests (ctest -L unit)"
  if [ "$cmake_at" -lt 0 ]; then
    err "build stage never runs 'cmake -S'"
  elif [ "$dist_at" -lt 0 ] || [ "$dist_at" -gt "$cmake_at" ]; then
    err "build stage must COPY --from=frontend .../dist to frontend/dist before cmake runs"
  fi

  # Every COPY --from names an earlier stage.
  for ((k = 0; k < n; k++)); do
    [ "${in[k]}" = COPY ] && [[ "${ar[k]}" =~ --from=([^[:space:]]+) ]] || continue
    local f=${BASH_REMATCH[1]} ok=no
    for ((j = 1; j < st[k]; j++)); do [ "${names[j]}" = "$f" ] && ok=yes; done
    [ "$ok" = yes ] || err "COPY --from=$f in stage ${names[${st[k]}]} names no earlier stage"
  done

  # .dockerignore
  if [ ! -f "$di" ]; then
    err "no .dockerignore at $di"
  else
    local want
    for want in node_modules build data .env; do
      awk -v w="$want" '
        { p = $0; sub(/\r$/, "", p); sub(/^[ \t]+/, "", p); sub(/[ \t]+$/, "", p)
          if (p ~ /^#/ || p ~ /^!/) next
          sub(/^\//, "", p); while (p ~ /^\*\*\//) p = substr(p, 4); sub(/\/+$/, "", p)
          if (p == w) found = 1 }
        END { exit !found }' "$di" || err ".dockerignore does not exclude '$want'"
    done
  fi

  if [ ${#errs[@]} -gt 0 ]; then printf '%s\n' "${errs[@]}"; return 1; fi
  return 0
}

# --- lint the real files -----------------------------------------------------------------
if ! out=$(lint "$dockerfile" "$dockerignore"); then
  echo "FAIL: $dockerfile / $dockerignore break the shipping rules:" >&2
  sed 's/^/  - /' <<<"$out" >&2
  exit 1
fi
echo "dockerfile_lint: $dockerfile and $dockerignore follow the rules"

# When asked to lint other files, the self-test below (built from the repo's files) is skipped.
[ $# -eq 0 ] || exit 0

# --- self-test: broken variants must be rejected --------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dockerfile-lint.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cases=0 bad=0

# mutate NAME EXPECT SED-SCRIPT: applies the sed script to the real Dockerfile; the result
# must differ from the original and be rejected with a message matching EXPECT.
mutate() {
  local name=$1 expect=$2 script=$3 out
  cases=$((cases + 1))
  sed -e "$script" "$dockerfile" > "$tmp/$name.Dockerfile"
  if cmp -s "$dockerfile" "$tmp/$name.Dockerfile"; then
    echo "FAIL: self-test '$name': the mutation did not change the Dockerfile" >&2; bad=$((bad + 1)); return
  fi
  reject "$name" "$expect" "$tmp/$name.Dockerfile" "$dockerignore"
}
reject() {
  local name=$1 expect=$2 out
  if out=$(lint "$3" "$4"); then
    echo "FAIL: self-test '$name': the linter accepted a broken file" >&2; bad=$((bad + 1))
  elif ! grep -Eq -- "$expect" <<<"$out"; then
    echo "FAIL: self-test '$name': rejected, but not for '$expect': $out" >&2; bad=$((bad + 1))
  elif [ -n "${DOCKERFILE_LINT_VERBOSE:-}" ]; then
    printf 'self-test %s rejected:\n%s\n' "$name" "$(sed 's/^/    /' <<<"$out")"
  fi
}

final_from='^FROM \${RUNTIME_IMAGE} AS runtime$'
grep -Eq "$final_from" "$dockerfile" || { echo "FAIL: self-test needs a line 'FROM \${RUNTIME_IMAGE} AS runtime'" >&2; exit 1; }

mutate hardcoded-base  'final stage must be'        "s|$final_from|FROM gcr.io/distroless/static-debian12:nonroot AS runtime|"
mutate unnamed-final   'final stage must be'        "s|$final_from|FROM \${RUNTIME_IMAGE}|"
mutate arg-default     'ARG RUNTIME_IMAGE'          's|^ARG RUNTIME_IMAGE=.*|ARG RUNTIME_IMAGE=debian:bookworm|'
mutate user-root-name  'numeric'                    's|^USER 65532:65532$|USER root|'
mutate user-root-uid   'runs as root'               's|^USER 65532:65532$|USER 0:0|'
mutate user-missing    'no USER'                    '/^USER 65532:65532$/d'
mutate run-in-final    'RUN is not allowed'         's|^USER 65532:65532$|USER 65532:65532\nRUN ["/ironpanel","migrate"]|'
mutate run-continued   'RUN is not allowed'         's|^EXPOSE 8080$|EXPOSE 8080\nRUN \\\n    true|'
mutate shell-in-final  'SHELL is not allowed'       's|^EXPOSE 8080$|EXPOSE 8080\nSHELL ["/bin/sh","-c"]|'
mutate add-in-final    'ADD is not allowed'         's|^EXPOSE 8080$|EXPOSE 8080\nADD busybox /bin/sh|'
mutate extra-copy      'may only copy /ironpanel'   's|^USER 65532:65532$|COPY --from=build /bin/sh /bin/sh\nUSER 65532:65532|'
mutate copy-context    'from an earlier stage'      's|^COPY --from=build /out/ironpanel /ironpanel$|COPY build/ironpanel /ironpanel|'
mutate hc-shell-form   'HEALTHCHECK'                's|CMD \["/ironpanel", "healthcheck"\]|CMD /ironpanel healthcheck|'
mutate hc-none         'HEALTHCHECK'                '/^HEALTHCHECK/,/healthcheck"\]$/c\HEALTHCHECK NONE'
mutate ep-shell-form   'ENTRYPOINT must be exec'    's|^ENTRYPOINT \["/ironpanel"\]$|ENTRYPOINT /ironpanel|'
mutate cmd-shell-form  'CMD must be exec'           's|^CMD \["serve"\]$|CMD serve|'
mutate env-listen      'IRON_LISTEN'                's|IRON_LISTEN=0.0.0.0:8080|IRON_LISTEN=127.0.0.1:8080|'
mutate no-volume       'VOLUME'                     '/^VOLUME /d'
mutate stage-after     'final stage must be'        '$a\FROM debian:bookworm AS extra\nCOPY --from=runtime /ironpanel /ironpanel'
mutate revision-label  'revision'                   's|org.opencontainers.image.revision="${BUILD_SHA}"|org.opencontainers.image.revision="dev"|'
mutate dist-after-cmake 'before cmake'              '/^COPY --from=frontend/d'
mutate no-unit-tests   'unit tests'                 's|ctest --test-dir build -L unit|true|'
mutate no-bootstrap    'scripts/bootstrap'          's|^    scripts/bootstrap --build-only$|    true|'

# .dockerignore variants, against the real Dockerfile.
for want in node_modules build data; do
  cases=$((cases + 1))
  grep -Ev "^[/*]*${want}/?\$" "$dockerignore" > "$tmp/no-$want.dockerignore"
  if cmp -s "$dockerignore" "$tmp/no-$want.dockerignore"; then
    echo "FAIL: self-test 'dockerignore-$want': nothing removed from .dockerignore" >&2; bad=$((bad + 1)); continue
  fi
  reject "dockerignore-$want" "does not exclude '$want'" "$dockerfile" "$tmp/no-$want.dockerignore"
done

if [ "$bad" -gt 0 ]; then
  echo "FAIL: $bad of $cases broken variants were not rejected as expected" >&2
  exit 1
fi
echo "dockerfile_lint: all $cases broken variants rejected"
echo "PASS: dockerfile_lint"
