#!/usr/bin/env bash
# make test-contract, the suite any endpoint can run (the hosted API, a
# self-hosted Xata), against the standalone Xata emulator started as a
# separate process and stopped after: the external path (XATA_CONTRACT_*,
# prefixed branch names, cleanup through the API) stays green. The
# emulator is built first so that stopping it stops it, not a `go run`
# around it. Used by .ci/run and .github/workflows/test.yml.
#
#   bash .ci/contract.sh SHAPE     SHAPE: hosted or open-source (credentials)
# TF_ACC_TERRAFORM_PATH picks the CLI, as for make test.
set -euo pipefail
cd "$(dirname "$0")/.."
shape=$1

dir=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || { kill "$pid"; wait "$pid" || true; }; rm -rf "$dir"' EXIT
go build -o "$dir/xata-emulator" ./internal/cmd/xata-emulator
"$dir/xata-emulator" -postgres auto -credentials-shape "$shape" -provision-delay 200ms >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 120); do
  grep -q '^export XATA_PROJECT_ID=' "$dir/out" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
if ! grep -q '^export XATA_PROJECT_ID=' "$dir/out"; then
  echo "the Xata emulator printed no export lines:" >&2
  cat "$dir/out" "$dir/err" >&2
  exit 1
fi
eval "$(sed -n 's/^export XATA_API_BASE_URL=/export XATA_CONTRACT_BASE_URL=/p
  s/^export XATA_\(API_KEY\|ORGANIZATION_ID\|PROJECT_ID\)=/export XATA_CONTRACT_\1=/p' "$dir/out")"
make test-contract
