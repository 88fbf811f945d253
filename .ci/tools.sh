#!/usr/bin/env bash
# Makes sure the tools the tests and the demo run exist on this machine, and
# prints where they are as KEY=VALUE lines (for `eval` or a Makefile):
#   PG_BIN_DIR             PostgreSQL server binaries (initdb, pg_ctl, pg_dump, psql)
#   TF_ACC_TERRAFORM_PATH  a Terraform-compatible CLI (terraform, else OpenTofu)
#   TF_ACC_PROVIDER_HOST   set only for OpenTofu, whose default registry differs
#   TF_ACC_TOFU_PATH       OpenTofu, when it is on PATH, already built, or
#                          asked for with --with-tofu (tests that run both
#                          CLIs use it as the second one)
#   TF_ACC_TERRAFORM_NEXT_PATH  Terraform 1.16 (resource identity, terraform
#                          query, actions), when already built or asked for
#                          with --with-terraform-next
#   TF_ACC_TERRAFORM_OLDEST_PATH  Terraform 1.5, the oldest the docs claim,
#                          when already built or asked for with
#                          --with-terraform-oldest
# Installs what is missing: PostgreSQL from the Debian archive, and OpenTofu
# built from the Go module proxy (cached; the only CLI source reachable here)
# when there is no terraform on PATH or --with-tofu asks for it.
# Progress goes to stderr so stdout stays machine-readable.
set -euo pipefail

TOFU_VERSION=v1.12.6
# One Terraform for the newest features (identity needs 1.12, terraform
# query and actions 1.14): the newest release, 1.16. It tests all that 1.15
# did, so 1.15 is no longer built; a second new leg would cost another
# build and another run of the provider's tests for no feature of its own.
TERRAFORM_NEXT_VERSION=v1.16.4
# The oldest Terraform the docs claim (required_version ">= 1.5", import
# blocks): 1.5.7, the last MPL-licensed release, which many teams stay on.
TERRAFORM_OLDEST_VERSION=v1.5.7
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
  local src work logf started pid total
  logf="$cache_dir/tofu-$TOFU_VERSION.build.log"
  mkdir -p "$(dirname "$out")"
  : >"$logf"
  log "building OpenTofu $TOFU_VERSION from the Go module proxy into $out"
  log "this takes about 15 minutes on 2 cores, once (the binary is cached); go's output goes to $logf"
  started=$(date +%s)
  local module_json
  module_json=$(go mod download -json "github.com/opentofu/opentofu@$TOFU_VERSION" 2>>"$logf") || true
  echo "$module_json" >>"$logf"
  src=$(echo "$module_json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  if [ -z "$src" ]; then
    log "downloading github.com/opentofu/opentofu@$TOFU_VERSION failed; the end of $logf:"
    tail -n 30 "$logf" >&2
    exit 1
  fi
  work=$(mktemp -d)
  cp -r "$src/." "$work/"
  chmod -R u+w "$work"
  # go install refuses the module's replace directives; a build inside it
  # works. go list first fetches every dependency and counts the packages,
  # so the build can say how far it is: go build -v names each package it
  # compiles.
  (
    cd "$work"
    go list -deps ./cmd/tofu >"$work/.packages" &&
      go build -v -o "$out.partial" ./cmd/tofu
  ) >>"$logf" 2>&1 &
  pid=$!
  local elapsed last=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    elapsed=$(($(date +%s) - started))
    if [ $((elapsed - last)) -ge 45 ]; then
      last=$elapsed
      total=$(wc -l <"$work/.packages" 2>/dev/null || echo 0)
      if [ "$total" -gt 0 ]; then
        log "building OpenTofu: $((elapsed / 60))m$((elapsed % 60))s, $(grep -c -v '^go: ' "$logf" || true) of at most $total packages compiled"
      else
        log "building OpenTofu: $((elapsed / 60))m$((elapsed % 60))s, $(grep -c '^go: downloading' "$logf" || true) modules downloaded"
      fi
    fi
  done
  if ! wait "$pid"; then
    log "building OpenTofu failed; the end of $logf:"
    tail -n 30 "$logf" >&2
    rm -rf "$work" "$out.partial"
    exit 1
  fi
  mv "$out.partial" "$out"
  rm -rf "$work"
  elapsed=$(($(date +%s) - started))
  log "built OpenTofu $TOFU_VERSION in $((elapsed / 60))m$((elapsed % 60))s: $out"
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

# ensure_tofu finds OpenTofu on PATH or in the cache; with --with-tofu it
# builds it when neither has it.
ensure_tofu() {
  if [ -n "${TF_ACC_TOFU_PATH:-}" ] && [ -x "$TF_ACC_TOFU_PATH" ]; then
    return
  fi
  TF_ACC_TOFU_PATH=
  if command -v tofu >/dev/null; then
    TF_ACC_TOFU_PATH=$(command -v tofu)
  elif [ -x "$cache_dir/tofu-$TOFU_VERSION/tofu" ] || [ "$with_tofu" = 1 ]; then
    TF_ACC_TOFU_PATH=$(build_tofu)
  fi
}

# build_terraform VERSION prints the path of Terraform VERSION, built from
# the Go module proxy by .ci/build-terraform.sh into the cache on first use
# (on 2 cores, once: 1.16 about 5 minutes, 1.5 about 2).
build_terraform() {
  local version=$1
  local out="$cache_dir/terraform-$version/terraform"
  if [ -x "$out" ]; then
    echo "$out"
    return
  fi
  local logf="$cache_dir/terraform-$version.build.log" started pid elapsed last=0
  mkdir -p "$cache_dir"
  log "building Terraform $version from the Go module proxy into $out"
  log "this takes a few minutes on 2 cores, once (the binary is cached); go's output goes to $logf"
  started=$(date +%s)
  bash "$(dirname "$0")/build-terraform.sh" "$version" "$out.partial" >"$logf" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    elapsed=$(($(date +%s) - started))
    if [ $((elapsed - last)) -ge 45 ]; then
      last=$elapsed
      log "building Terraform $version: $((elapsed / 60))m$((elapsed % 60))s, $(grep -c '^go: downloading' "$logf" || true) modules downloaded"
    fi
  done
  if ! wait "$pid"; then
    log "building Terraform $version failed; the end of $logf:"
    tail -n 30 "$logf" >&2
    rm -f "$out.partial"
    exit 1
  fi
  mv "$out.partial" "$out"
  elapsed=$(($(date +%s) - started))
  log "built Terraform $version in $((elapsed / 60))m$((elapsed % 60))s: $out"
  echo "$out"
}

# ensure_terraform_next finds Terraform $TERRAFORM_NEXT_VERSION in the
# cache; with --with-terraform-next it builds it.
ensure_terraform_next() {
  TF_ACC_TERRAFORM_NEXT_PATH=
  if [ -x "$cache_dir/terraform-$TERRAFORM_NEXT_VERSION/terraform" ] || [ "$with_terraform_next" = 1 ]; then
    TF_ACC_TERRAFORM_NEXT_PATH=$(build_terraform "$TERRAFORM_NEXT_VERSION")
  fi
}

# ensure_terraform_oldest finds Terraform $TERRAFORM_OLDEST_VERSION in the
# cache; with --with-terraform-oldest it builds it.
ensure_terraform_oldest() {
  TF_ACC_TERRAFORM_OLDEST_PATH=
  if [ -x "$cache_dir/terraform-$TERRAFORM_OLDEST_VERSION/terraform" ] || [ "$with_terraform_oldest" = 1 ]; then
    TF_ACC_TERRAFORM_OLDEST_PATH=$(build_terraform "$TERRAFORM_OLDEST_VERSION")
  fi
}

with_tofu=0
with_terraform_next=0
with_terraform_oldest=0
for arg in "$@"; do
  case "$arg" in
    --with-tofu) with_tofu=1 ;;
    --with-terraform-next) with_terraform_next=1 ;;
    --with-terraform-oldest) with_terraform_oldest=1 ;;
    *)
      log "unknown argument $arg (usage: tools.sh [--with-tofu] [--with-terraform-next] [--with-terraform-oldest])"
      exit 2
      ;;
  esac
done

ensure_postgres
ensure_terraform
ensure_tofu
ensure_terraform_next
ensure_terraform_oldest
echo "PG_BIN_DIR=$PG_BIN_DIR"
echo "TF_ACC_TERRAFORM_PATH=$TF_ACC_TERRAFORM_PATH"
# A TF_CLI_CONFIG_FILE naming a missing file makes OpenTofu print a warning
# on stdout before its version, so ask without it.
case "$(env -u TF_CLI_CONFIG_FILE "$TF_ACC_TERRAFORM_PATH" version 2>/dev/null | sed -n 1p)" in
  OpenTofu*) echo "TF_ACC_PROVIDER_HOST=registry.opentofu.org" ;;
esac
if [ -n "$TF_ACC_TOFU_PATH" ]; then
  echo "TF_ACC_TOFU_PATH=$TF_ACC_TOFU_PATH"
fi
if [ -n "$TF_ACC_TERRAFORM_NEXT_PATH" ]; then
  echo "TF_ACC_TERRAFORM_NEXT_PATH=$TF_ACC_TERRAFORM_NEXT_PATH"
fi
if [ -n "$TF_ACC_TERRAFORM_OLDEST_PATH" ]; then
  echo "TF_ACC_TERRAFORM_OLDEST_PATH=$TF_ACC_TERRAFORM_OLDEST_PATH"
fi
