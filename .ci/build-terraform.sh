#!/usr/bin/env bash
# Builds Terraform from the Go module proxy: the newest release for the
# features newer than the Terraform on PATH (identity, terraform query,
# actions), and the oldest release the docs claim.
#
# The remote-state backends (azure, consul, cos, gcs, kubernetes, oci, oss,
# pg, s3) are cut out of the backend registry: the provider's tests use
# local state, and their cloud SDKs are most of the compile. In recent
# releases they and internal/legacy are nested modules, which the proxy's
# archive of github.com/hashicorp/terraform lacks, so they are cut out of
# go.mod too; older releases (1.5) are one module. local, http and inmem
# remain. version.dev=no makes it report the plain release version.
# Usage: build-terraform.sh VERSION OUT
set -euo pipefail
version=$1 out=$2
src=$(go mod download -json "github.com/hashicorp/terraform@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
cd "$work"
if grep -q 'internal/backend/remote-state/' go.mod; then
  dropped="azure consul cos gcs kubernetes oci oss pg s3"
  for b in $dropped; do
    sed -i "\#internal/backend/remote-state/$b #d; \#internal/backend/remote-state/$b\$#d" go.mod
  done
  sed -i '\#github.com/hashicorp/terraform/internal/legacy#d' go.mod
fi
init=internal/backend/init/init.go
for alias in backendAzure backendConsul backendCos backendGCS backendKubernetes backendOCI backendOSS backendPg backendS3; do
  sed -i "/^[[:space:]]*$alias \"/d; /$alias\.New()/d" "$init"
done
rm -f internal/command/views/hook_count_test.go
mkdir -p "$(dirname "$out")"
GOFLAGS=-mod=mod go build -trimpath -ldflags "-X github.com/hashicorp/terraform/version.dev=no" -o "$out" .
