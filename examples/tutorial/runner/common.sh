# Shared by provision.sh and cleanup.sh (sourced, not run).
#
# Environment: SIGNADOT_SANDBOX_NAME (set by Signadot), PG_CONN_STR (the
# Terraform state database) and the XATA_* provider settings, from the
# runner pod's secret. Optional: TERRAFORM (the CLI, default terraform),
# RUNNER_DIR (this directory in the image, default /opt/xata-runner).
set -euo pipefail

: "${SIGNADOT_SANDBOX_NAME:?is set by Signadot for every step}"
: "${PG_CONN_STR:?must point at the Terraform state database (see the tutorial README)}"

tf=${TERRAFORM:-terraform}
runner_dir=${RUNNER_DIR:-/opt/xata-runner}
sandbox=$SIGNADOT_SANDBOX_NAME
workspace="sb-${sandbox}"
export TF_IN_AUTOMATION=1 TF_INPUT=0

# Each run works in a private copy: .terraform/ records the selected
# workspace, and two sandboxes' steps may run at once.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$runner_dir"/*.tf "$work"/
cd "$work"

# quiet runs a command and shows its output only if it fails.
quiet() {
  if ! "$@" >"$work/out.log" 2>&1; then
    cat "$work/out.log" >&2
    return 1
  fi
}

quiet "$tf" init -no-color
