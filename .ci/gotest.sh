#!/usr/bin/env bash
# go test through gotestsum (pinned in tools/go.mod): a line per test as it
# finishes, so a long run shows progress; then gotestsum's summary (failed
# and skipped tests with their output, "DONE N tests ..."); then go test's
# own closing line per package ("ok", "FAIL", "?"), which CI reads; last,
# when tests skipped because the Terraform CLI is too old for what they
# test (identity, terraform query, actions), a line naming them and the
# command that runs them on a newer one (.ci/version-skips.awk).
#
#   bash .ci/gotest.sh <go test arguments>      e.g. ./... -count=1
# GOTESTSUM_FORMAT picks gotestsum's format (default testname;
# standard-verbose is go test -v's output).
set -uo pipefail
cd "$(dirname "$0")/.."

json=$(mktemp)
trap 'rm -f "$json"' EXIT

go tool -modfile=tools/go.mod gotestsum --format "${GOTESTSUM_FORMAT:-testname}" --jsonfile "$json" -- "$@"
rc=$?

# go test -json reports each package's closing line as an output event
# without a test name; print them as go test would have.
echo
echo "go test:"
grep -v '"Test":' "$json" |
  sed -n 's/.*"Action":"output".*"Output":"\(\(ok\|FAIL\|?\)[ \\][^"]*\)\\n"}$/\1/p' |
  sed 's/\\t/\t/g'

# The tests that skipped because the CLI lacks what they test (identity,
# terraform query, actions, ...), and how to run them: the last line.
if grep -qE 'below minimum version|Terraform [0-9.]+ or later' "$json"; then
  cli=${TF_ACC_TERRAFORM_PATH:-$(command -v terraform || command -v tofu || true)}
  cli_version=$([ -n "$cli" ] && env -u TF_CLI_CONFIG_FILE "$cli" version 2>/dev/null | sed -n 1p)
  run_path=${TF_ACC_TERRAFORM_NEXT_PATH:-}
  if [ -z "$run_path" ] || [ "$run_path" = "$cli" ]; then
    run_path="\$(bash .ci/tools.sh --with-terraform-next | sed -n 's/^TF_ACC_TERRAFORM_NEXT_PATH=//p')"
  fi
  awk -v module="$(sed -n 's/^module //p' go.mod)" -v cli="${cli_version:-no CLI}" -v run_path="$run_path" \
    -f .ci/version-skips.awk "$json"
fi
exit "$rc"
