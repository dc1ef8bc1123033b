#!/usr/bin/env bash
# Makes the official OTLP .proto files available to the test receiver, which decodes what
# the extension sends on the wire. They are not ours to commit: they come from Debian's
# opentelemetry-proto package into the git-ignored .cache/otlp-proto, once.
# Set OTLP_PROTO_DIR to a folder holding opentelemetry/proto/... to use another copy.
# The upstream version goes into VERSION beside them: scripts/otlp-schema.mjs names it in the
# schema it generates.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
probe="opentelemetry/proto/collector/trace/v1/trace_service.proto"

if [ -n "${OTLP_PROTO_DIR:-}" ]; then
  [ -f "$OTLP_PROTO_DIR/$probe" ] || { echo "otlp-protos: OTLP_PROTO_DIR=$OTLP_PROTO_DIR has no $probe" >&2; exit 1; }
  exit 0
fi
dir="$root/.cache/otlp-proto"
# google.rpc.Status, the body of OTLP/HTTP error answers, is not in opentelemetry-proto: it
# comes from Debian's libgoogle-common-protos-java, whose jar carries the .proto files.
status="google/rpc/status.proto"
[ -f "$dir/$probe" ] && [ -f "$dir/VERSION" ] && [ -f "$dir/$status" ] && exit 0

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fetch_status() {
  "$root/scripts/debian/newer-suite.sh" "$work" libgoogle-common-protos-java || {
    echo "otlp-protos: could not fetch Debian's libgoogle-common-protos-java (for $status); set OTLP_PROTO_DIR to a folder holding opentelemetry/proto/... and $status" >&2
    exit 1
  }
  dpkg -x "$work"/libgoogle-common-protos-java_*.deb "$work/java"
  mkdir -p "$dir/google/rpc"
  unzip -p "$work"/java/usr/share/java/proto-google-common-protos.jar "$status" > "$dir/$status"
  echo "otlp-protos: $status in $dir"
}
if [ -f "$dir/$probe" ] && [ -f "$dir/VERSION" ]; then
  fetch_status
  exit 0
fi
"$root/scripts/debian/newer-suite.sh" "$work" opentelemetry-proto || {
  echo "otlp-protos: could not fetch Debian's opentelemetry-proto; set OTLP_PROTO_DIR to a copy of the opentelemetry-proto repository" >&2
  exit 1
}
dpkg -x "$work"/opentelemetry-proto_*.deb "$work/root"
rm -rf "$dir"
mkdir -p "$dir"
cp -r "$work/root/usr/include/opentelemetry" "$dir/"
# Debian's version less its revision: 1.11.0-1 is opentelemetry-proto 1.11.0.
version="$(dpkg-deb -f "$work"/opentelemetry-proto_*.deb Version)"
version="${version#*:}"
echo "${version%-*}" > "$dir/VERSION"
echo "otlp-protos: $(cd "$dir" && find . -name '*.proto' | wc -l) .proto files in $dir"
fetch_status
