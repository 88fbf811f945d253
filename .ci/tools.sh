#!/usr/bin/env bash
# Makes sure the tools the tests and the demo run exist on this machine, and
# prints where they are as KEY=VALUE lines (for `eval` or a Makefile):
#   PG_BIN_DIR             PostgreSQL server binaries (initdb, pg_ctl, pg_dump, psql)
#   TF_ACC_TERRAFORM_PATH  a Terraform-compatible CLI (terraform, else OpenTofu)
#   TF_ACC_PROVIDER_HOST   set only for OpenTofu, whose default registry differs
# Installs what is missing: PostgreSQL from the Debian archive, and OpenTofu
# built from the Go module proxy (cached; the only CLI source reachable here).
# Progress goes to stderr so stdout stays machine-readable.
set -euo pipefail

TOFU_VERSION=v1.12.6
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-xata"

log() { echo "tools: $*" >&2; }

newest_pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

ensure_postgres() {
  if [ -n "${PG_BIN_DIR:-}" ] && [ -x "$PG_BIN_DIR/initdb" ]; then
    return
  fi
  PG_BIN_DIR=$(newest_pg_bin)
  if [ -z "$PG_BIN_DIR" ] || [ ! -x "$PG_BIN_DIR/initdb" ]; then
    if [ "$(id -u)" != 0 ]; then
      log "PostgreSQL is not installed; run: sudo apt-get install -y postgresql"
      exit 1
    fi
    log "installing PostgreSQL from the Debian archive"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    PG_BIN_DIR=$(newest_pg_bin)
  fi
  for tool in initdb pg_ctl pg_dump pg_restore psql; do
    if [ ! -x "$PG_BIN_DIR/$tool" ] && ! command -v "$tool" >/dev/null; then
      log "PostgreSQL tool $tool is missing from $PG_BIN_DIR"
      exit 1
    fi
  done
}

build_tofu() {
  local out="$cache_dir/tofu-$TOFU_VERSION/tofu"
  if [ -x "$out" ]; then
    echo "$out"
    return
  fi
  log "no terraform on PATH; building OpenTofu $TOFU_VERSION from the Go module proxy (about 6 minutes, cached in $cache_dir)"
  local src work
  src=$(go mod download -json "github.com/opentofu/opentofu@$TOFU_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  work=$(mktemp -d)
  cp -r "$src/." "$work/"
  chmod -R u+w "$work"
  mkdir -p "$(dirname "$out")"
  # go install refuses the module's replace directives; a build inside it works.
  (cd "$work" && go build -o "$out" ./cmd/tofu) >&2
  rm -rf "$work"
  echo "$out"
}

ensure_terraform() {
  if [ -n "${TF_ACC_TERRAFORM_PATH:-}" ] && [ -x "$TF_ACC_TERRAFORM_PATH" ]; then
    return
  fi
  if command -v terraform >/dev/null; then
    TF_ACC_TERRAFORM_PATH=$(command -v terraform)
  elif command -v tofu >/dev/null; then
    TF_ACC_TERRAFORM_PATH=$(command -v tofu)
  else
    TF_ACC_TERRAFORM_PATH=$(build_tofu)
  fi
}

ensure_postgres
ensure_terraform
echo "PG_BIN_DIR=$PG_BIN_DIR"
echo "TF_ACC_TERRAFORM_PATH=$TF_ACC_TERRAFORM_PATH"
# A TF_CLI_CONFIG_FILE naming a missing file makes OpenTofu print a warning
# on stdout before its version, so ask without it.
case "$(env -u TF_CLI_CONFIG_FILE "$TF_ACC_TERRAFORM_PATH" version 2>/dev/null | head -n 1)" in
  OpenTofu*) echo "TF_ACC_PROVIDER_HOST=registry.opentofu.org" ;;
esac
