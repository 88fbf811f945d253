#!/usr/bin/env bash
# Builds the release artifacts into dist/ exactly as a tag does
# (.goreleaser.yml), without publishing anything, and signs SHA256SUMS with
# a throwaway GPG key made here in a temporary GNUPGHOME and deleted after.
# A real release imports the real key instead (see README, "Releasing").
#
# Extra arguments go to goreleaser release, e.g. --parallelism=1.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "release-snapshot: $*" >&2; }

if ! command -v gpg >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    log "gpg is not installed; run: sudo apt-get install -y gnupg"
    exit 1
  fi
  log "installing gnupg from the Debian archive"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnupg >&2
fi

GNUPGHOME=$(mktemp -d)
export GNUPGHOME
cleanup() {
  gpgconf --kill all >/dev/null 2>&1 || true
  rm -rf "$GNUPGHOME"
}
trap cleanup EXIT

gpg --batch --quiet --passphrase '' \
  --quick-generate-key "terraform-provider-xata snapshot (throwaway) <snapshot@invalid>" ed25519 sign 1d
GPG_FINGERPRINT=$(gpg --batch --list-secret-keys --with-colons | awk -F: '$1 == "fpr" { print $10; exit }')
export GPG_FINGERPRINT
log "throwaway signing key $GPG_FINGERPRINT"

started=$(date +%s)
go tool -modfile=tools/go.mod goreleaser release --snapshot --clean "$@"

# goreleaser checksums and uploads the manifest but does not copy it into
# dist/; put it beside the archives as the release has it.
sums=$(ls dist/*_SHA256SUMS)
version=${sums#dist/terraform-provider-xata_}
version=${version%_SHA256SUMS}
cp terraform-registry-manifest.json "dist/terraform-provider-xata_${version}_manifest.json"

# Check what a registry client will check: the signature, then the sums.
gpg --batch --quiet --verify "$sums.sig" "$sums"
(cd dist && sha256sum --quiet -c "$(basename "$sums")")

log "built $version in $(($(date +%s) - started))s; SHA256SUMS verified against its signature:"
(cd dist && ls -1 terraform-provider-xata_"${version}"_*) >&2
