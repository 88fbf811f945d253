#!/usr/bin/env bash
# Generates docs/ with tfplugindocs from templates/, examples/ and the
# provider's schema, or (with "check") fails when docs/ is stale.
#
# The schema is read with whichever Terraform-compatible CLI .ci/tools.sh
# finds, through a dev_overrides config, so nothing is downloaded.
set -euo pipefail
mode=${1:-generate}
cd "$(dirname "$0")/.."
set -a
eval "$(bash .ci/tools.sh)"
set +a

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/bin/terraform-provider-xata" .
# tfplugindocs looks the schema up as hashicorp/<name>, so the throwaway
# config names the provider that way.
cat >"$work/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "hashicorp/xata" = "$work/bin"
  }
  direct {}
}
CFG
mkdir -p "$work/cfg"
cat >"$work/cfg/main.tf" <<'CFG'
terraform {
  required_providers {
    xata = { source = "hashicorp/xata" }
  }
}
CFG
(cd "$work/cfg" && TF_CLI_CONFIG_FILE="$work/cli.tfrc" "$TF_ACC_TERRAFORM_PATH" providers schema -json >"$work/schema.json" 2>"$work/schema.err") || {
  cat "$work/schema.err" >&2
  exit 1
}

# tfplugindocs resolves the output dir inside the provider dir, so the check
# renders into an ignored scratch dir there.
out=docs
if [ "$mode" = check ]; then
  out=.cache/docs-check
  rm -rf "$out"
  trap 'rm -rf "$work" .cache/docs-check' EXIT
fi
go tool tfplugindocs generate --provider-name xata --rendered-provider-name Xata \
  --providers-schema "$work/schema.json" --rendered-website-dir "$out" >"$work/tfplugindocs.log" 2>&1 || {
  cat "$work/tfplugindocs.log" >&2
  exit 1
}

if [ "$mode" = check ]; then
  if ! diff -ru docs "$out"; then
    echo "docs/ is stale: run 'make docs' and commit the result" >&2
    exit 1
  fi
  echo "docs/ is up to date"
fi
