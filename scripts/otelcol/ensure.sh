#!/usr/bin/env bash
# Provides the real OpenTelemetry Collector and VictoriaMetrics that `npm run test:collector`
# runs, as .cache/otelcol/current/{otelcol,victoria-metrics}. No Docker engine is needed:
#  - the Collector is our own small distribution (main.go beside this script), built in GOPATH
#    mode from Debian's packaged Go sources;
#  - VictoriaMetrics is the binary of Debian's victoria-metrics package.
# Both come from Debian sid through scripts/debian/newer-suite.sh, which reuses this machine's
# own Debian mirror. Only the two binaries are kept, in a folder named after the versions of
# every package used, main.go and the build flags, so a warm run only reads the local apt
# index and exits; once that index is refreshed with newer versions, one run rebuilds.
#
# Environment:
#   OTELCOL_BIN, VICTORIA_METRICS_BIN  use these binaries instead (another OS, own builds);
#                                     the test reads the same variables.
#   OTELCOL_PACKAGES_FILE             the -dev packages to build from, one a line (default
#                                     ../shared/debian/otelcol-build-packages.txt; without it,
#                                     the golang-*-dev dependency closure of the collector).
#   OTELCOL_GO_VERSION                Debian's golang-<version>-go/-src to build with (1.26).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/.cache/otelcol"
go_version="${OTELCOL_GO_VERSION:-1.26}"
packages_file="${OTELCOL_PACKAGES_FILE:-$root/../shared/debian/otelcol-build-packages.txt}"
collector_pkg=golang-opentelemetry-collector-dev
tools=("golang-$go_version-go" "golang-$go_version-src" victoria-metrics)
# The apt state newer-suite.sh keeps (its defaults), read here without network access.
apt_state="${APT_STATE_DIR:-$root/.cache/apt-${DEBIAN_SUITE:-sid}}"

say() { echo "otelcol: $*" >&2; }
fail() { echo "otelcol: FAILED: $*" >&2; exit 1; }

if [ -n "${OTELCOL_BIN:-}${VICTORIA_METRICS_BIN:-}" ]; then
  if [ ! -x "${OTELCOL_BIN:-}" ] || [ ! -x "${VICTORIA_METRICS_BIN:-}" ]; then
    fail "set both OTELCOL_BIN and VICTORIA_METRICS_BIN to executables (got '${OTELCOL_BIN:-}', '${VICTORIA_METRICS_BIN:-}')"
  fi
  say "using OTELCOL_BIN=$OTELCOL_BIN and VICTORIA_METRICS_BIN=$VICTORIA_METRICS_BIN"
  exit 0
fi
for tool in apt-get apt-cache dpkg-deb sha256sum; do
  command -v "$tool" >/dev/null 2>&1 ||
    fail "'$tool' not found: the collector and VictoriaMetrics are fetched from Debian packages, which needs a Debian machine. Elsewhere, build a collector with the otlp receiver, batch processor, debug and otlp_http exporters, get VictoriaMetrics 1.145 or later, and set OTELCOL_BIN and VICTORIA_METRICS_BIN."
done

apt_cache() {
  apt-cache -o "Dir::Etc::SourceList=$apt_state/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o "Dir::State::Lists=$apt_state/lists" -o "Dir::Cache=$apt_state/cache" "$@"
}
have_index() { compgen -G "$apt_state/lists/*_Packages*" >/dev/null; }
# "package version" lines of the named packages found in the local index, sorted.
index_versions() { apt_cache show --no-all-versions "$@" 2>/dev/null | awk '/^Package:/ { p = $2 } /^Version:/ { print p, $2 }' | sort -u; }

# The -dev packages: the tested list when it is there and every name is still in sid, else
# the golang-*-dev dependency closure of the collector (about 210 MB instead of 78 MB).
dev_packages() {
  if [ -r "$packages_file" ]; then
    mapfile -t listed < <(grep -v '^[[:space:]]*\(#\|$\)' "$packages_file")
    local missing
    missing="$(comm -23 <(printf '%s\n' "${listed[@]}" | sort -u) <(index_versions "${listed[@]}" | cut -d' ' -f1))"
    if [ -z "$missing" ]; then printf '%s\n' "${listed[@]}"; return; fi
    say "not in Debian sid any more: $(tr '\n' ' ' <<< "$missing"); using the dependency closure of $collector_pkg"
  else
    say "no package list at $packages_file; using the dependency closure of $collector_pkg"
  fi
  apt_cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances \
    "$collector_pkg" | grep -E '^golang-[^ ]*-dev$' | sort -u
}

# The build recipe; it and main.go are part of the cache key, with the package versions.
go_env=(GO111MODULE=off GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS= GOENV=off)
go_build=(build -trimpath)
ldflags="-s -w"
cache_key() { { cat; echo "${go_env[*]} ${go_build[*]} $ldflags"; sha256sum < "$here/main.go"; } | sha256sum | cut -c1-16; }

use() {
  ln -sfn "$1" "$out/current.new" && mv -T "$out/current.new" "$out/current"
  say "$(grep -E "^($collector_pkg|victoria-metrics) " "$out/$1/versions.txt" | tr '\n' ' ')-> $out/current"
}

mkdir -p "$out"
# Builds interrupted by SIGKILL leave their work folder behind.
find "$out" -maxdepth 1 -name 'build.*' -mmin +120 -exec rm -rf {} + 2>/dev/null || true

if have_index; then
  mapfile -t dev < <(dev_packages)
  key="$(index_versions "${tools[@]}" "${dev[@]}" | cache_key)"
  if [ -x "$out/$key/otelcol" ] && [ -x "$out/$key/victoria-metrics" ]; then use "$key"; exit 0; fi
fi

started=$SECONDS
work="$(mktemp -d "$out/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
say "fetching from Debian sid (about 180 MB) and building; the next runs reuse the result"
"$root/scripts/debian/newer-suite.sh" "$work/debs" "${tools[@]}" ||
  fail "could not download ${tools[*]} from Debian sid (see above); OTELCOL_GO_VERSION picks another Go"
mapfile -t dev < <(dev_packages)
[ "${#dev[@]}" -gt 0 ] || fail "no -dev packages to build $collector_pkg from"
"$root/scripts/debian/newer-suite.sh" "$work/debs" "${dev[@]}" || fail "could not download the collector's Go sources from Debian sid (see above)"
# shellcheck disable=SC2016 # dpkg-deb's own ${field} format
for deb in "$work"/debs/*.deb; do dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb"; done | sort -u > "$work/versions.txt"
key="$(cache_key < "$work/versions.txt")"
say "downloaded $(wc -l < "$work/versions.txt") packages ($(du -sm "$work/debs" | cut -f1) MB) in $((SECONDS - started)) s"
if [ -x "$out/$key/otelcol" ] && [ -x "$out/$key/victoria-metrics" ]; then use "$key"; exit 0; fi

mkdir -p "$work/root" "$work/out"
for deb in "$work"/debs/*.deb; do
  case "$(basename "$deb")" in
    victoria-metrics_*) dpkg-deb --fsys-tarfile "$deb" | tar -x -O ./usr/bin/victoria-metrics > "$work/out/victoria-metrics" ;;
    *) dpkg-deb -x "$deb" "$work/root" ;;
  esac
  rm -f "$deb"
done
chmod +x "$work/out/victoria-metrics"
say "unpacked in $((SECONDS - started)) s since the start"
cp "$work/versions.txt" "$work/out/versions.txt"

goroot="$work/root/usr/lib/go-$go_version"
[ -x "$goroot/bin/go" ] || fail "golang-$go_version-go has no $goroot/bin/go"
collector_version="$(awk -v p="$collector_pkg" '$1 == p { print $2 }' "$work/versions.txt")"
[ -n "$collector_version" ] || fail "$collector_pkg was not downloaded"
built=$SECONDS
(
  cd "$here"
  # XDG_CONFIG_HOME: the go command's own files (telemetry counters) go away with $work too.
  env "${go_env[@]}" GOROOT="$goroot" GOPATH="$work/root/usr/share/gocode" GOCACHE="$work/gocache" \
    XDG_CONFIG_HOME="$work/config" "$goroot/bin/go" "${go_build[@]}" \
    -ldflags "$ldflags -X main.version=$collector_version" -o "$work/out/otelcol" .
) || fail "go build of the collector failed (see above)"
components="$("$work/out/otelcol" components)" || fail "the built collector does not run"
for component in otlp batch debug otlp_http; do
  grep -q "name: $component\$" <<< "$components" || fail "the built collector lacks the $component component"
done
say "built the collector in $((SECONDS - built)) s"

# A parallel run may have finished the same build first; its result is as good as ours.
[ -d "$out/$key" ] || mv -T "$work/out" "$out/$key" 2>/dev/null || [ -d "$out/$key" ] || fail "could not move the build to $out/$key"
use "$key"
# Only the current build is kept.
for old in "$out"/*/; do
  old="$(basename "$old")"
  if [[ "$old" =~ ^[0-9a-f]{16}$ && "$old" != "$key" ]]; then rm -rf "${out:?}/$old"; fi
done
say "ready in $((SECONDS - started)) s"
