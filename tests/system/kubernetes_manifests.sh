#!/usr/bin/env bash
# Checks deploy/kubernetes/*.yaml (docs/deploy.md, "Several replicas on PostgreSQL") without a
# cluster: every file parses, and the objects fit together as documented: the Deployment's
# probes (liveness /health/live, readiness /health/ready on the container's port), its
# settings from the Secret's files (never inline), hardening, a rolling update that keeps
# capacity; the Service and the PodDisruptionBudget select its pods; the HPA scales it from
# at least 3; the migrate Job reads the same database URL; kustomization.yaml lists files
# that exist (and `kubectl kustomize` renders them, where kubectl is installed). Then checks
# that the checks bite, on weakened copies.
#
# Exit 0 pass, 1 fail, 77 skip (no python3 with PyYAML).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/deploy/kubernetes
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
[ -d "$dir" ] || fail "no $dir"
python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3 with PyYAML is needed"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/k8s-manifests.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# check DIR: prints one line per broken rule.
check() {
  python3 - "$1" <<'PY'
import glob, os, sys, yaml
d = sys.argv[1]
errors = []
err = errors.append
objs = {}
for path in sorted(glob.glob(os.path.join(d, "*.yaml"))):
    try:
        docs = [x for x in yaml.safe_load_all(open(path)) if x]
    except yaml.YAMLError as e:
        err(f"{os.path.basename(path)}: not YAML: {e}"); continue
    for o in docs:
        objs.setdefault(o.get("kind"), []).append((os.path.basename(path), o))

def one(kind):
    found = objs.get(kind) or []
    if len(found) != 1: err(f"want one {kind}, got {len(found)}"); return {}
    return found[0][1]

dep, svc, hpa, pdb, secret, job, kust = (one(k) for k in
    ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Secret", "Job", "Kustomization"))
pod = ((dep.get("spec") or {}).get("template") or {})
labels = (pod.get("metadata") or {}).get("labels") or {}
match = ((dep.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
if not match or any(labels.get(k) != v for k, v in match.items()): err("Deployment: selector does not match its pod labels")
if (dep.get("spec") or {}).get("replicas", 1) < 3: err("Deployment: fewer than 3 replicas")
ru = ((dep.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
if ru.get("maxUnavailable") != 0: err("Deployment: rollingUpdate.maxUnavailable must be 0")
spec = pod.get("spec") or {}
if (spec.get("terminationGracePeriodSeconds") or 30) <= 8: err("Deployment: grace period must exceed the 8 s drain")
containers = spec.get("containers") or [{}]
c = containers[0]
ports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}

def probe(name, path):
    p = (c.get(name) or {}).get("httpGet") or {}
    if p.get("path") != path: err(f"Deployment: {name} must GET {path}, got {p.get('path')}")
    port = p.get("port")
    if port not in ports and port not in ports.values(): err(f"Deployment: {name} port {port} is not a container port")
probe("livenessProbe", "/health/live")
probe("readinessProbe", "/health/ready")

secret_name = (secret.get("metadata") or {}).get("name")
secret_keys = set((secret.get("stringData") or {}) | (secret.get("data") or {}))

def env_and_mounts(podspec, who):
    cont = (podspec.get("containers") or [{}])[0]
    env = {e.get("name"): e for e in cont.get("env") or []}
    vols = {v.get("name"): v for v in podspec.get("volumes") or []}
    mounts = {}
    for m in cont.get("volumeMounts") or []:
        v = vols.get(m.get("name")) or {}
        if "secret" in v:
            if v["secret"].get("secretName") != secret_name: err(f"{who}: mounts a Secret other than {secret_name}")
            mounts[m.get("mountPath").rstrip("/")] = True
    for name, e in env.items():
        if name.endswith("_FILE"):
            path = e.get("value", "")
            base, key = os.path.split(path)
            if base not in mounts: err(f"{who}: {name} ({path}) is not in a mounted Secret")
            elif key not in secret_keys: err(f"{who}: {name} names key {key}, which the Secret does not have")
    for name in ("IRON_DATABASE_URL", "IRON_JWT_SECRET", "IRON_SECRETS_MASTER_KEY", "IRON_IP_TOKEN_KEY"):
        if name in env: err(f"{who}: {name} inline: secrets come from the Secret's files")
    return env, cont

env, _ = env_and_mounts(spec, "Deployment")
for name in ("IRON_DATABASE_URL_FILE", "IRON_JWT_SECRET_FILE", "IRON_SECRETS_MASTER_KEY_FILE", "IRON_IP_TOKEN_KEY_FILE"):
    if name not in env: err(f"Deployment: {name} is missing (every replica needs the same value)")
sc = c.get("securityContext") or {}
if sc.get("readOnlyRootFilesystem") is not True: err("Deployment: readOnlyRootFilesystem must be true")
if sc.get("allowPrivilegeEscalation") is not False: err("Deployment: allowPrivilegeEscalation must be false")
if (spec.get("securityContext") or {}).get("runAsNonRoot") is not True: err("Deployment: runAsNonRoot must be true")

sel = (svc.get("spec") or {}).get("selector") or {}
if not sel or any(labels.get(k) != v for k, v in sel.items()): err("Service: selector does not match the Deployment's pods")
for p in (svc.get("spec") or {}).get("ports") or []:
    if p.get("targetPort") not in ports and p.get("targetPort") not in ports.values(): err(f"Service: targetPort {p.get('targetPort')} is not a container port")
psel = ((pdb.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
if not psel or any(labels.get(k) != v for k, v in psel.items()): err("PodDisruptionBudget: selector does not match the Deployment's pods")
ref = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
if ref.get("kind") != "Deployment" or ref.get("name") != (dep.get("metadata") or {}).get("name"): err("HPA: does not scale the Deployment")
if ((hpa.get("spec") or {}).get("minReplicas") or 1) < 3: err("HPA: minReplicas must be at least 3")

jspec = (((job.get("spec") or {}).get("template") or {}).get("spec")) or {}
jenv, jc = env_and_mounts(jspec, "Job")
if (jc.get("args") or [None])[0] != "migrate": err("Job: must run migrate")
if (jenv.get("IRON_DATABASE_URL_FILE") or {}).get("value") != (env.get("IRON_DATABASE_URL_FILE") or {}).get("value"):
    err("Job: IRON_DATABASE_URL_FILE differs from the Deployment's")
if jc.get("image") != c.get("image"): err("Job: image differs from the Deployment's")

for r in kust.get("resources") or []:
    if not os.path.exists(os.path.join(d, r)): err(f"kustomization: {r} does not exist")
print("\n".join(errors))
sys.exit(1 if errors else 0)
PY
}

out=$(check "$dir") || { printf '%s\n' "$out" >&2; fail "deploy/kubernetes does not fit together (above)"; }
if command -v kubectl >/dev/null; then
  kubectl kustomize "$dir" >"$tmp/rendered.yaml" || fail "kubectl kustomize $dir failed"
  echo "kubernetes_manifests: kubectl kustomize renders $(grep -c '^kind:' "$tmp/rendered.yaml") objects"
fi
echo "kubernetes_manifests: the manifests parse and fit together"

# --- the checks bite ------------------------------------------------------------------------
cases=0 bad=0
mutant() { # NAME EXPECT FILE SED-SCRIPT
  local name=$1 expect=$2 file=$3 script=$4
  cases=$((cases + 1))
  rm -rf "$tmp/m" && cp -r "$dir" "$tmp/m"
  sed -i -e "$script" "$tmp/m/$file"
  if cmp -s "$dir/$file" "$tmp/m/$file"; then
    echo "FAIL: self-test '$name': the mutation changed nothing" >&2; bad=$((bad + 1)); return
  fi
  if out=$(check "$tmp/m"); then
    echo "FAIL: self-test '$name': weakened manifests passed" >&2; bad=$((bad + 1))
  elif ! grep -q -- "$expect" <<<"$out"; then
    echo "FAIL: self-test '$name': rejected, but not for '$expect': $out" >&2; bad=$((bad + 1))
  fi
}
mutant live-on-ready   'livenessProbe must GET /health/live' deployment.yaml '0,/path: \/health\/live/s//path: \/health\/ready/'
mutant wrong-ready     'readinessProbe must GET'  deployment.yaml 's|path: /health/ready|path: /api/v1/health/ready|'
mutant no-master-key   'IRON_SECRETS_MASTER_KEY_FILE is missing' deployment.yaml '/name: IRON_SECRETS_MASTER_KEY_FILE/,+1d'
mutant missing-key     'which the Secret does not have' secret.yaml '/^  jwt-secret:/d'
mutant service-miss    'Service: selector'        service.yaml 's/app.kubernetes.io\/component: server/app.kubernetes.io\/component: web/'
mutant hpa-other       'HPA: does not scale'      hpa.yaml 's/    name: ironpanel/    name: other/'
mutant hpa-one         'minReplicas'              hpa.yaml 's/minReplicas: 3/minReplicas: 1/'
mutant surge-down      'maxUnavailable'           deployment.yaml 's/maxUnavailable: 0/maxUnavailable: 1/'
mutant writable-root   'readOnlyRootFilesystem'   deployment.yaml '0,/readOnlyRootFilesystem: true/s//readOnlyRootFilesystem: false/'
[ "$bad" = 0 ] || fail "$bad of $cases weakened manifests were not rejected"
echo "kubernetes_manifests: all $cases weakened manifests rejected"
echo "PASS: kubernetes_manifests"
