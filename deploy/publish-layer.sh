#!/usr/bin/env bash
# Publishes the built layer zips as new versions of Lambda layers and prints each LayerVersionArn
# on stdout, one a line (everything else goes to stderr), so that ARN=$(deploy/publish-layer.sh)
# works. Run deploy/publish-layer.sh --help for the options.
set -euo pipefail

readonly PROG=publish-layer
readonly DEFAULT_LAYER_NAME=lambda-telemetry-otel
# The Node layer's launcher runs the bundle with the runtime's own node, so any Node.js runtime
# serves, and the bundle is pure JavaScript: one zip serves both architectures.
readonly NODE_RUNTIMES=(nodejs22.x nodejs24.x)
readonly NODE_ARCHITECTURES=(x86_64 arm64)
# A standalone layer carries its own node (Node.js 24, glibc 2.28 or later), so it serves the
# Amazon Linux 2023 runtimes, whatever their language. Lambda takes at most 15 compatible
# runtimes (they only filter ListLayers: the layer works on any AL2023 runtime): these are the
# AL2023 runtimes Lambda supports in December 2026, less dotnet8 (deprecated on 10 Nov 2026).
readonly STANDALONE_RUNTIMES=(nodejs22.x nodejs24.x python3.12 python3.13 python3.14
  java8.al2023 java11.al2023 java17.al2023 java21 java25 dotnet10 ruby3.3 ruby3.4 ruby4.0
  provided.al2023)
readonly STANDALONE_ARCHITECTURES=(x86_64 arm64)
# Lambda's limit for a zip uploaded directly (--zip-file) rather than through S3.
readonly MAX_ZIP_BYTES=$((50 * 1000 * 1000))
readonly LAUNCHER_ENTRY=extensions/lambda-telemetry-otel
readonly NODE_ENTRY=lambda-telemetry-otel/bin/node

usage() {
  cat <<EOF
Usage: deploy/publish-layer.sh [options]

Publishes a built layer zip as a new version of a Lambda layer and prints its LayerVersionArn;
with --all, the three layers, one ARN a line, in the order below.

Layers:
  (default)           the Node layer: dist/layer.zip as NAME, for ${NODE_RUNTIMES[*]},
                      ${NODE_ARCHITECTURES[*]}
  --standalone ARCH   a standalone layer, node bundled: dist/layer-standalone-ARCH.zip as
                      NAME-standalone-ARCH, for ARCH alone (x86_64 or arm64) and the
                      Amazon Linux 2023 runtimes below
  --all               the Node layer, then the standalone x86_64 and arm64 layers

Options:
  --layer-name NAME   the Node layer's name or ARN; the standalone layers' names follow from it
                      (default: $DEFAULT_LAYER_NAME)
  --region REGION     AWS Region (default: \$AWS_REGION, else the AWS CLI's own configuration)
  --profile PROFILE   AWS CLI profile (default: the AWS CLI's own configuration)
  --zip PATH          publish this zip instead of the built one (never built; not with --all)
  --build             build first (npm run build, or npm run build:standalone for a standalone
                      layer), even when the zips exist
  --dry-run           print the commands instead of running them (needs no AWS CLI)
  -h, --help          show this help

The standalone layers' compatible runtimes:
$(printf '%s ' "${STANDALONE_RUNTIMES[@]}" | fold -s -w 76 | sed 's/^/  /; s/ $//')
EOF
}

die() {
  printf '%s: error: %s\n' "$PROG" "$1" >&2
  exit "${2:-1}"
}

usage_error() {
  printf '%s: error: %s\n' "$PROG" "$1" >&2
  printf "Run '%s --help' for the options.\n" "$0" >&2
  exit 2
}

# Prints one command line, quoting only the words that need it, so it can be pasted into a shell.
print_command() {
  local word out="" quote="'" escaped="'\\''"
  for word in "$@"; do
    if [[ "$word" =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then
      out+="$word "
    else
      out+="'${word//"$quote"/"$escaped"}' "
    fi
  done
  printf '%s\n' "${out% }"
}

# A layer is "node" or the architecture of a standalone layer.
is_standalone_arch() {
  local arch
  for arch in "${STANDALONE_ARCHITECTURES[@]}"; do [[ "$1" == "$arch" ]] && return 0; done
  return 1
}

# The npm script that builds layer $1's zip.
build_script() {
  if [[ "$1" == node ]]; then printf 'build\n'; else printf 'build:standalone\n'; fi
}

layer_zip() {
  if [[ "$1" == node ]]; then printf '%s\n' "$repo_root/dist/layer.zip"; else printf '%s\n' "$repo_root/dist/layer-standalone-$1.zip"; fi
}

name_of() {
  if [[ "$1" == node ]]; then printf '%s\n' "$layer_name"; else printf '%s\n' "$layer_name-standalone-$1"; fi
}

# ELF machine of the zip's node binary: x86_64, arm64, or what the header says.
zipped_node_arch() {
  local machine
  # od reads the 20 bytes it needs and exits; unzip's SIGPIPE that follows is expected. A file
  # shorter than that has no machine.
  machine="$( (unzip -p "$1" "$NODE_ENTRY" 2>/dev/null || true) | od -An -tu2 -j18 -N2 2>/dev/null | tr -d ' ')" || machine=""
  case "$machine" in
    62) printf 'x86_64\n' ;;
    183) printf 'arm64\n' ;;
    *) printf 'unknown (ELF machine %s)\n' "${machine:-none}" ;;
  esac
}

# Fails unless the zip at $2 is a layer Lambda can take as layer $1. Needs unzip for the content.
check_zip() {
  local layer="$1" zip="$2" zip_bytes listing arch
  [[ -f "$zip" ]] || die "no layer zip at $zip: run npm run $(build_script "$layer"), or pass --zip PATH"
  zip_bytes="$(wc -c <"$zip")"
  ((zip_bytes > 0)) || die "$zip is empty"
  ((zip_bytes <= MAX_ZIP_BYTES)) || die "$zip is $zip_bytes bytes, over Lambda's $MAX_ZIP_BYTES for a direct upload"
  if ! command -v unzip >/dev/null 2>&1; then
    printf '%s: unzip not found, not checking %s for %s\n' "$PROG" "$zip" "$LAUNCHER_ENTRY" >&2
    return 0
  fi
  # Listed first, not piped: grep -q stops reading at the first match, and under pipefail
  # unzip's resulting SIGPIPE would fail the check.
  listing="$(unzip -Z1 "$zip" 2>/dev/null)" || die "$zip is not a readable zip file"
  # Lambda starts only what is in /opt/extensions/: without this entry the layer does nothing.
  grep -qx "$LAUNCHER_ENTRY" <<<"$listing" || die "$zip has no $LAUNCHER_ENTRY at its root: is it the layer zip?"
  if [[ "$layer" == node ]]; then
    ! grep -qx "$NODE_ENTRY" <<<"$listing" ||
      die "$zip holds $NODE_ENTRY: it is a standalone layer, for one architecture; publish it with --standalone ARCH"
  else
    grep -qx "$NODE_ENTRY" <<<"$listing" || die "$zip has no $NODE_ENTRY: is it the standalone layer zip (npm run build:standalone)?"
    arch="$(zipped_node_arch "$zip")"
    [[ "$arch" == "$layer" ]] || die "$zip carries an $arch node, not $layer: is it the $layer standalone zip?"
  fi
}

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd -- "$script_dir/.." && pwd)"

layer_name="$DEFAULT_LAYER_NAME"
region="${AWS_REGION:-}"
profile=""
zip_path=""
build=false
dry_run=false
layers=()
all=false

while (($# > 0)); do
  case "$1" in
    --layer-name | --region | --profile | --zip | --standalone)
      (($# >= 2)) || usage_error "$1 needs a value"
      case "$1" in
        --layer-name) layer_name="$2" ;;
        --region) region="$2" ;;
        --profile) profile="$2" ;;
        --zip) zip_path="$2" ;;
        --standalone)
          is_standalone_arch "$2" || usage_error "--standalone takes ${STANDALONE_ARCHITECTURES[*]} (got '$2')"
          ((${#layers[@]} == 0)) || usage_error "--standalone names one layer: for all three, use --all"
          layers=("$2")
          ;;
      esac
      shift 2
      ;;
    --all) all=true; shift ;;
    --build) build=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

if [[ "$all" == true ]]; then
  ((${#layers[@]} == 0)) || usage_error "--all and --standalone exclude each other: --all publishes both standalone layers"
  [[ -z "$zip_path" ]] || usage_error "--zip and --all exclude each other: --zip publishes one zip"
  layers=(node "${STANDALONE_ARCHITECTURES[@]}")
elif ((${#layers[@]} == 0)); then
  layers=(node)
fi

# The patterns of the PublishLayerVersion API and of AWS Region names.
for layer in "${layers[@]}"; do
  name="$(name_of "$layer")"
  if ! [[ "$name" =~ ^[A-Za-z0-9_-]{1,140}$ || "$name" =~ ^arn:[A-Za-z0-9-]+:lambda:[A-Za-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+$ ]]; then
    usage_error "invalid layer name: '$name' (letters, digits, - and _, at most 140; or a layer ARN)"
  fi
done
if [[ -n "$region" && ! "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]]; then
  usage_error "invalid region: '$region' (e.g. eu-west-1)"
fi
if [[ -n "$zip_path" && "$build" == true ]]; then
  usage_error "--zip and --build exclude each other: --zip publishes a zip that is already built"
fi

if [[ "$dry_run" == false ]] && ! command -v aws >/dev/null 2>&1; then
  die "the AWS CLI (aws) is not on PATH: install it (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), or use --dry-run to print the command"
fi

# The zip of each layer, and the build that makes the missing ones: npm run build:standalone
# writes all three, npm run build only the Node layer's.
zips=()
script=""
for layer in "${layers[@]}"; do
  zip="${zip_path:-$(layer_zip "$layer")}"
  zips+=("$zip")
  if [[ -z "$zip_path" && ("$build" == true || ! -f "$zip") ]]; then
    [[ "$script" == build:standalone ]] || script="$(build_script "$layer")"
  fi
done

# True when a dry run printed the build instead of running it: the zips are not there yet.
zips_pending=false
if [[ -n "$script" ]]; then
  if [[ "$dry_run" == true ]]; then
    print_command cd "$repo_root"
    print_command npm run "$script"
    zips_pending=true
  else
    command -v npm >/dev/null 2>&1 || die "npm is not on PATH: it builds the layer zips (npm run $script)"
    printf '%s: building the layers (npm run %s)\n' "$PROG" "$script" >&2
    (cd -- "$repo_root" && npm run "$script") >&2 || die "npm run $script failed"
  fi
fi

if [[ "$zips_pending" == false ]]; then
  for i in "${!layers[@]}"; do
    check_zip "${layers[$i]}" "${zips[$i]}"
    # fileb:// takes a path relative to the AWS CLI's working directory: make it absolute.
    zips[i]="$(cd -- "$(dirname -- "${zips[$i]}")" && pwd)/$(basename -- "${zips[$i]}")"
  done
fi

command -v node >/dev/null 2>&1 || die "node is not on PATH: it reads the version from package.json"
version="$(node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version))' "$repo_root/package.json")" ||
  die "cannot read the version from $repo_root/package.json"

for i in "${!layers[@]}"; do
  layer="${layers[$i]}"
  if [[ "$layer" == node ]]; then
    description="lambda-telemetry-otel $version: Lambda Telemetry API to OpenTelemetry over OTLP/HTTP"
    runtimes=("${NODE_RUNTIMES[@]}")
    architectures=("${NODE_ARCHITECTURES[@]}")
  else
    description="lambda-telemetry-otel $version, standalone ($layer, Node.js bundled): Lambda Telemetry API to OpenTelemetry over OTLP/HTTP"
    runtimes=("${STANDALONE_RUNTIMES[@]}")
    architectures=("$layer")
  fi
  aws_command=(aws lambda publish-layer-version
    --layer-name "$(name_of "$layer")"
    --description "$description"
    --license-info Apache-2.0
    --zip-file "fileb://${zips[$i]}"
    --compatible-runtimes "${runtimes[@]}"
    --compatible-architectures "${architectures[@]}"
    --query LayerVersionArn
    --output text)
  [[ -z "$region" ]] || aws_command+=(--region "$region")
  [[ -z "$profile" ]] || aws_command+=(--profile "$profile")

  if [[ "$dry_run" == true ]]; then
    print_command "${aws_command[@]}"
    continue
  fi
  printf '%s: publishing %s as a new version of %s\n' "$PROG" "${zips[$i]}" "$(name_of "$layer")" >&2
  # No pager: the ARN must reach stdout, not an interactive viewer.
  arn="$(AWS_PAGER="" "${aws_command[@]}")" || die "aws lambda publish-layer-version failed (see above)"
  [[ "$arn" == arn:* ]] || die "unexpected answer from aws lambda publish-layer-version: $arn"
  printf '%s\n' "$arn"
done
