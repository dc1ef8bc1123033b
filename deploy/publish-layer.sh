#!/usr/bin/env bash
# Publishes dist/layer.zip as a new version of a Lambda layer and prints its LayerVersionArn on
# stdout (everything else goes to stderr), so that ARN=$(deploy/publish-layer.sh) works.
# Run deploy/publish-layer.sh --help for the options.
set -euo pipefail

readonly PROG=publish-layer
readonly DEFAULT_LAYER_NAME=lambda-telemetry-otel
# The launcher runs the bundle with the runtime's own node, so any Node.js runtime serves.
readonly RUNTIMES=(nodejs22.x nodejs24.x)
# The bundle is pure JavaScript: one zip serves both architectures.
readonly ARCHITECTURES=(x86_64 arm64)
# Lambda's limit for a zip uploaded directly (--zip-file) rather than through S3.
readonly MAX_ZIP_BYTES=$((50 * 1000 * 1000))
readonly LAUNCHER_ENTRY=extensions/lambda-telemetry-otel

usage() {
  cat <<EOF
Usage: deploy/publish-layer.sh [options]

Publishes dist/layer.zip as a new version of a Lambda layer (runtimes ${RUNTIMES[*]},
architectures ${ARCHITECTURES[*]}) and prints its LayerVersionArn.

Options:
  --layer-name NAME   layer name or ARN (default: $DEFAULT_LAYER_NAME)
  --region REGION     AWS Region (default: \$AWS_REGION, else the AWS CLI's own configuration)
  --profile PROFILE   AWS CLI profile (default: the AWS CLI's own configuration)
  --zip PATH          publish this zip instead of dist/layer.zip (never built)
  --build             run npm run build first, even when dist/layer.zip exists
  --dry-run           print the commands instead of running them (needs no AWS CLI)
  -h, --help          show this help
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

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd -- "$script_dir/.." && pwd)"

layer_name="$DEFAULT_LAYER_NAME"
region="${AWS_REGION:-}"
profile=""
zip_path=""
build=false
dry_run=false

while (($# > 0)); do
  case "$1" in
    --layer-name | --region | --profile | --zip)
      (($# >= 2)) || usage_error "$1 needs a value"
      case "$1" in
        --layer-name) layer_name="$2" ;;
        --region) region="$2" ;;
        --profile) profile="$2" ;;
        --zip) zip_path="$2" ;;
      esac
      shift 2
      ;;
    --build) build=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

# The patterns of the PublishLayerVersion API and of AWS Region names.
if ! [[ "$layer_name" =~ ^[A-Za-z0-9_-]{1,140}$ || "$layer_name" =~ ^arn:[A-Za-z0-9-]+:lambda:[A-Za-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+$ ]]; then
  usage_error "invalid layer name: '$layer_name' (letters, digits, - and _, at most 140; or a layer ARN)"
fi
if [[ -n "$region" && ! "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]]; then
  usage_error "invalid region: '$region' (e.g. eu-west-1)"
fi
if [[ -n "$zip_path" && "$build" == true ]]; then
  usage_error "--zip and --build exclude each other: --zip publishes a zip that is already built"
fi

if [[ "$dry_run" == false ]] && ! command -v aws >/dev/null 2>&1; then
  die "the AWS CLI (aws) is not on PATH: install it (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), or use --dry-run to print the command"
fi

# True when a dry run printed the build instead of running it: the zip is not there yet.
zip_pending=false
if [[ -z "$zip_path" ]]; then
  zip_path="$repo_root/dist/layer.zip"
  if [[ "$build" == true || ! -f "$zip_path" ]]; then
    if [[ "$dry_run" == true ]]; then
      print_command cd "$repo_root"
      print_command npm run build
      zip_pending=true
    else
      command -v npm >/dev/null 2>&1 || die "npm is not on PATH: it builds dist/layer.zip (npm run build)"
      printf '%s: building the layer (npm run build)\n' "$PROG" >&2
      (cd -- "$repo_root" && npm run build) >&2 || die "npm run build failed"
    fi
  fi
fi

if [[ "$zip_pending" == false ]]; then
  [[ -f "$zip_path" ]] || die "no layer zip at $zip_path: run npm run build, or pass --zip PATH"
  zip_bytes="$(wc -c <"$zip_path")"
  ((zip_bytes > 0)) || die "$zip_path is empty"
  ((zip_bytes <= MAX_ZIP_BYTES)) || die "$zip_path is $zip_bytes bytes, over Lambda's $MAX_ZIP_BYTES for a direct upload"
  if command -v unzip >/dev/null 2>&1; then
    # Listed first, not piped: grep -q stops reading at the first match, and under pipefail
    # unzip's resulting SIGPIPE would fail the check.
    listing="$(unzip -Z1 "$zip_path" 2>/dev/null)" || die "$zip_path is not a readable zip file"
    # Lambda starts only what is in /opt/extensions/: without this entry the layer does nothing.
    grep -qx "$LAUNCHER_ENTRY" <<<"$listing" ||
      die "$zip_path has no $LAUNCHER_ENTRY at its root: is it the layer zip?"
  else
    printf '%s: unzip not found, not checking the zip for %s\n' "$PROG" "$LAUNCHER_ENTRY" >&2
  fi
  # fileb:// takes a path relative to the AWS CLI's working directory: make it absolute.
  zip_path="$(cd -- "$(dirname -- "$zip_path")" && pwd)/$(basename -- "$zip_path")"
fi

command -v node >/dev/null 2>&1 || die "node is not on PATH: it reads the version from package.json"
version="$(node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version))' "$repo_root/package.json")" ||
  die "cannot read the version from $repo_root/package.json"

aws_command=(aws lambda publish-layer-version
  --layer-name "$layer_name"
  --description "lambda-telemetry-otel $version: Lambda Telemetry API to OpenTelemetry over OTLP/HTTP"
  --license-info Apache-2.0
  --zip-file "fileb://$zip_path"
  --compatible-runtimes "${RUNTIMES[@]}"
  --compatible-architectures "${ARCHITECTURES[@]}"
  --query LayerVersionArn
  --output text)
[[ -z "$region" ]] || aws_command+=(--region "$region")
[[ -z "$profile" ]] || aws_command+=(--profile "$profile")

if [[ "$dry_run" == true ]]; then
  print_command "${aws_command[@]}"
  exit 0
fi

printf '%s: publishing %s as a new version of %s\n' "$PROG" "$zip_path" "$layer_name" >&2
# No pager: the ARN must reach stdout, not an interactive viewer.
arn="$(AWS_PAGER="" "${aws_command[@]}")" || die "aws lambda publish-layer-version failed (see above)"
[[ "$arn" == arn:* ]] || die "unexpected answer from aws lambda publish-layer-version: $arn"
printf '%s\n' "$arn"
