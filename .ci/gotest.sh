#!/usr/bin/env bash
# go test through gotestsum (pinned in tools/go.mod): a line per test as it
# finishes, so a long run shows progress; then gotestsum's summary (failed
# and skipped tests with their output, "DONE N tests ..."); then go test's
# own closing line per package ("ok", "FAIL", "?"), which CI reads.
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
exit "$rc"
