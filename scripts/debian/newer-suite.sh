#!/usr/bin/env bash
# Downloads .deb packages from a newer Debian suite (sid by default) through a private apt
# configuration, reusing this machine's own Debian mirror: the URI is read from its apt
# sources, never written down here. Usage:
#   scripts/debian/newer-suite.sh <dest-dir> <package>...
# Environment: DEBIAN_SUITE (default sid), APT_STATE_DIR (default .cache/apt-<suite>).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
suite="${DEBIAN_SUITE:-sid}"
state="${APT_STATE_DIR:-$root/.cache/apt-$suite}"
dest="${1:?usage: newer-suite.sh <dest-dir> <package>...}"
shift
[ "$#" -gt 0 ] || { echo "newer-suite.sh: no package named" >&2; exit 2; }

fail() { echo "newer-suite.sh: $*" >&2; exit 1; }
command -v apt-get >/dev/null 2>&1 || fail "apt-get not found: this route needs a Debian-based machine (see README, 'Test prerequisites')"

# The stanza of debian.sources whose Suites: names the installed release holds the mirror URI.
sources=/etc/apt/sources.list.d/debian.sources
uri=""
if [ -r "$sources" ]; then
  uri="$(awk '
    /^[[:space:]]*#/ { next }
    /^[[:space:]]*$/ { if (suites ~ /(bookworm|trixie|forky|sid)( |$)/ && suites !~ /security/ && u != "") { print u; exit } u=""; suites=""; next }
    /^URIs:/ { u=$2 }
    /^Suites:/ { $1=""; suites=$0 }
    END { if (suites ~ /(bookworm|trixie|forky|sid)( |$)/ && suites !~ /security/ && u != "") print u }
  ' "$sources" | head -n 1)"
fi
if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
  uri="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list | head -n 1)"
fi
[ -n "$uri" ] || fail "no Debian mirror found in $sources or /etc/apt/sources.list"

mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$dest"
list="$state/sources.list"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" > "$list"
opts=(-o "Dir::Etc::SourceList=$list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$state/lists"
      -o "Dir::Cache=$state/cache" -o APT::Sandbox::User=root -o Debug::NoLocking=1 -qq)

# One index download serves every later run for a day.
stamp="$state/updated"
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then
  apt-get "${opts[@]}" update || fail "apt-get update of Debian $suite failed"
  touch "$stamp"
fi
cd "$dest"
apt-get "${opts[@]}" download "$@" || fail "apt-get download $* from Debian $suite failed"
