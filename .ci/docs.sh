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

# tfplugindocs documents only types named <provider>_*, and this provider
# serves xata_* and signadot_* types: render each prefix in its own pass
# (templates/xata, templates/signadot) and put the pages side by side.
# It also resolves output dirs inside the provider dir, hence .cache/.
go run ./internal/cmd/docschema -in "$work/schema.json" -out-dir "$work"
render() { # prefix, output dir[, website source dir]
  go tool tfplugindocs generate --provider-name "$1" --rendered-provider-name Xata \
    --providers-schema "$work/$1.json" --website-source-dir "${3:-templates/$1}" --rendered-website-dir "$2" \
    >"$work/tfplugindocs-$1.log" 2>&1 || {
    cat "$work/tfplugindocs-$1.log" >&2
    exit 1
  }
}
scratch=.cache/docs-render
trap 'rm -rf "$work" "$scratch"' EXIT
rm -rf "$scratch"

# Guides (docs/guides/) come from templates/guides, rendered in the xata
# pass. A line "<!-- BODY: <file> -->" in a guide is replaced by that file
# (the tutorial guide is examples/tutorial/README.md under a front matter),
# its relative links made absolute GitHub links (".." folded) and any "{{"
# escaped, so
# the guide never drifts from the file: docs-check fails until it is
# regenerated.
repo_url=https://github.com/sandboxdb/terraform-provider-xata/blob/main
src="$scratch/src-xata"
mkdir -p "$scratch"
cp -r templates/xata "$src"
mkdir -p "$src/guides"
for guide in templates/guides/*; do
  out_guide="$src/guides/$(basename "$guide")"
  : >"$out_guide"
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      "<!-- BODY: "*" -->")
        body=${line#"<!-- BODY: "}
        body=${body%" -->"}
        base="$repo_url/$(dirname "$body")"
        perl -pe 's/\{\{/{{"{{"}}/g; s{\]\((?![a-z][a-z0-9+.-]*:|#|/)([^)\s]+)\)}{]('"$base"'/$1)}gi; 1 while s{(\Q'"$repo_url"'\E[^)\s]*?)/(?!\.\.)[^/)\s]+/\.\./}{$1/}' "$body" >>"$out_guide"
        ;;
      *) printf '%s\n' "$line" >>"$out_guide" ;;
    esac
  done <"$guide"
done
render xata "$scratch/xata" "$src"
render signadot "$scratch/signadot"

out="$scratch/all"
cp -r "$scratch/xata" "$out"
for kind in resources data-sources; do
  for page in "$scratch/signadot/$kind"/*.md; do
    cp "$page" "$out/$kind/signadot_$(basename "$page")"
  done
done

if [ "$mode" = check ]; then
  if ! diff -ru docs "$out"; then
    echo "docs/ is stale: run 'make docs' and commit the result" >&2
    exit 1
  fi
  echo "docs/ is up to date"
else
  rm -rf docs
  cp -r "$out" docs
fi
