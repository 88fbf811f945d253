# Shared by provision.sh and cleanup.sh (sourced, not run).
#
# Environment: SIGNADOT_SANDBOX_NAME (set by Signadot), PG_CONN_STR (the
# Terraform state database) and the XATA_* provider settings, from the
# runner pod's secret. Optional: TERRAFORM (the CLI, default terraform),
# RUNNER_DIR (this directory in the image, default /opt/xata-runner),
# STATE_LOCK_TIMEOUT (how long a step waits for a state lock, default 10m),
# SETUP_ATTEMPTS (tries of init and workspace creation and deletion,
# default 10).
#
# Many sandboxes' steps run at once against one state database. The pg
# backend guards workspace creation with one database-wide lock and does
# not wait for it (every lock of an existing workspace takes it for a
# moment too), so concurrent steps meet it. Commands that lock state wait
# for it (-lock-timeout); init and workspace creation and deletion, which
# cannot wait, are idempotent and retried a bounded number of times.
set -euo pipefail

: "${SIGNADOT_SANDBOX_NAME:?is set by Signadot for every step}"
: "${PG_CONN_STR:?must point at the Terraform state database (see the tutorial README)}"

tf=${TERRAFORM:-terraform}
runner_dir=${RUNNER_DIR:-/opt/xata-runner}
sandbox=$SIGNADOT_SANDBOX_NAME
workspace="sb-${sandbox}"
lock_timeout="-lock-timeout=${STATE_LOCK_TIMEOUT:-10m}"
vars=(-var "sandbox=${sandbox}" -var "parent_branch=${PARENT_BRANCH:-main}")
export TF_IN_AUTOMATION=1 TF_INPUT=0

# Each run works in a private copy: .terraform/ records the selected
# workspace, and two sandboxes' steps may run at once. The copy, errored
# state included, goes when the step ends: it may hold the branch's
# password.
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

# retry runs an idempotent command until it succeeds, at most
# SETUP_ATTEMPTS times with a growing, jittered pause (0.5 s to 8 s), and
# shows the output of the last failure only.
retry() {
  local attempts=${SETUP_ATTEMPTS:-10} n=1 cap ms
  until "$@" >"$work/retry.log" 2>&1; do
    if [ "$n" -ge "$attempts" ]; then
      echo "== failed $attempts times: $*" >&2
      cat "$work/retry.log" >&2
      return 1
    fi
    cap=$((n < 5 ? 500 << (n - 1) : 8000))
    ms=$((cap / 2 + RANDOM % (cap / 2 + 1)))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    n=$((n + 1))
  done
}

retry "$tf" init -no-color
