#!/usr/bin/env bash
# Static validation of genq's deploy artifacts, without Docker or a cluster:
#   - docker-compose.yml parses, matches the compose-spec schema, and every build context, Dockerfile,
#     COPY source, env_file and mounted file it names exists (and is not excluded by .dockerignore);
#   - deploy/kubernetes: every object validates against the Kubernetes OpenAPI schema (npm
#     kubernetes-models) and the ScaledObject against KEDA's CRD schema (npm @kubernetes-models/keda),
#     with no unknown fields; plus probes, resources, PDBs, selectors, KEDA vs topic partitions;
#   - deploy/observability: promtool checks the alert rules and the Prometheus config, the dashboard
#     JSON parses, and every metric the dashboard and the rules use is listed in metrics-used.txt.
# Installs what it lacks: Node.js and npm from Debian (apt-get) if missing, the npm packages pinned in
# deploy/validate/package-lock.json, and promtool from Debian's prometheus package (unpacked, not
# installed: no daemon), all under deploy/target/validate-tools (git-ignored). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools=$root/deploy/target/validate-tools
mkdir -p "$tools"
start=$(date +%s)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_update() { [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }; }

# --- Node.js and npm (Debian) ---
missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "validate: installing ${missing[*]} (apt-get)"
  apt_update
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- npm packages, pinned by the lock file; reinstalled only when it changes ---
lock=$root/deploy/validate/package-lock.json
if ! cmp -s "$lock" "$tools/package-lock.json" 2>/dev/null || [ ! -d "$tools/node_modules" ]; then
  echo "validate: installing the npm validators into ${tools#$root/}"
  cp "$root/deploy/validate/package.json" "$lock" "$tools/"
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# --- promtool (Debian's prometheus package, unpacked only) ---
promtool=$(command -v promtool || true)
if [ -z "$promtool" ]; then
  promtool=$tools/prometheus/usr/bin/promtool
  if [ ! -x "$promtool" ]; then
    echo "validate: fetching promtool (Debian package prometheus, unpacked into ${tools#$root/})"
    apt_update
    (cd "$tools" && rm -f prometheus_*.deb && apt-get download -qq -o APT::Sandbox::User=root prometheus >/dev/null \
      && dpkg-deb -x prometheus_*.deb "$tools/prometheus" && rm -f prometheus_*.deb)
  fi
fi
echo "validate: tools ready ($("$promtool" --version 2>&1 | head -1); node $(node --version)) in $(( $(date +%s) - start )) s"

status=0
node "$root/deploy/validate/validate.mjs" "$root" "$tools/node_modules" || status=1

echo "promtool"
if "$promtool" check rules "$root/deploy/observability/alert-rules.yml" >"$tools/promtool.out" 2>&1; then
  echo "  ok    alert-rules.yml: $(grep -o 'SUCCESS: [0-9]* rules found' "$tools/promtool.out")"
else
  echo "  FAIL  alert-rules.yml:"; sed 's/^/        /' "$tools/promtool.out"; status=1
fi
# prometheus.yml names the rules file where the compose container mounts it; check it against this checkout
sed "s#/etc/prometheus/alert-rules.yml#$root/deploy/observability/alert-rules.yml#" \
  "$root/deploy/observability/prometheus.yml" >"$tools/prometheus.yml"
if "$promtool" check config "$tools/prometheus.yml" >"$tools/promtool.out" 2>&1; then
  echo "  ok    prometheus.yml: valid, loads alert-rules.yml"
else
  echo "  FAIL  prometheus.yml:"; sed 's/^/        /' "$tools/promtool.out"; status=1
fi

if [ $status -eq 0 ]; then
  echo "validate: all deploy checks passed ($(( $(date +%s) - start )) s)"
else
  echo "validate: FAILED ($(( $(date +%s) - start )) s)"
fi
exit $status
