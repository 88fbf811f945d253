#!/bin/bash
# Create step of the xata-branch plugin: terraform apply of a branch
# sb-<sandbox> in the sandbox's own state workspace, then the outputs
# Signadot hands to the sandbox. Running it again converges: the state (or,
# after a kill before the state was saved, adopt_existing) finds the branch.
source "$(dirname "$0")/common.sh"

parent=${PARENT_BRANCH:-main}
outputs=${OUTPUTS_DIR:-/outputs}

# save_errored_state pushes the state an apply could not write to the state
# database (Terraform leaves it in errored.tfstate), retrying while the
# database is unreachable. It fails, saying what to do, when there is no
# such file or the database stays unreachable.
save_errored_state() {
  [ -f errored.tfstate ] || return 1
  echo "== the state database refused the state; pushing it again"
  if SETUP_ATTEMPTS=${STATE_PUSH_ATTEMPTS:-10} retry "$tf" state push "$lock_timeout" errored.tfstate; then
    rm -f errored.tfstate
    return 0
  fi
  cat >&2 <<MSG
== The state of sandbox ${sandbox} could not be saved to the state database
   (PG_CONN_STR). Ignore Terraform's advice above to run "terraform state push
   errored.tfstate": that file goes with this step's working directory.
   Nothing is lost: once the state database answers again, run this step again
   (recreate the sandbox). It adopts branch sb-${sandbox} by its name
   (adopt_existing), and the delete step finds it by its name too.
MSG
  return 1
}

# The apply writes the connection string to $outputs/connection-string
# (from an ephemeral resource: it is never in state).
mkdir -p "$outputs"
vars+=(-var "outputs_dir=${outputs}" -var "run_id=$(date +%s%N)-$$")

echo "== branch sb-${sandbox} from ${parent} (state workspace ${workspace})"
retry "$tf" workspace select -or-create -no-color "$workspace"
if ! "$tf" apply -auto-approve -no-color "$lock_timeout" "${vars[@]}"; then
  save_errored_state || exit 1
  # The apply may have failed for more than the state write: apply again
  # from the saved state, which changes nothing if all went through.
  echo "== state saved; applying again"
  "$tf" apply -auto-approve -no-color "$lock_timeout" "${vars[@]}"
fi

"$tf" output -raw branch_name >"$outputs/branch-name"
if [ ! -s "$outputs/connection-string" ]; then
  echo "== the apply wrote no $outputs/connection-string; run this step again (recreate the sandbox)" >&2
  exit 1
fi
echo "== wrote $outputs/branch-name and $outputs/connection-string (not shown: it holds a password)"
