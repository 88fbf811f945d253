#!/bin/bash
# Create step of the xata-branch plugin: terraform apply of a branch
# sb-<sandbox> in the sandbox's own state workspace, then the outputs
# Signadot hands to the sandbox. Running it again converges: the state (or,
# after a kill before the state was saved, adopt_existing) finds the branch.
source "$(dirname "$0")/common.sh"

parent=${PARENT_BRANCH:-main}
outputs=${OUTPUTS_DIR:-/outputs}

echo "== branch sb-${sandbox} from ${parent} (state workspace ${workspace})"
quiet "$tf" workspace select -or-create -no-color "$workspace"
"$tf" apply -auto-approve -no-color -var "sandbox=${sandbox}" -var "parent_branch=${parent}"

mkdir -p "$outputs"
"$tf" output -raw branch_name >"$outputs/branch-name"
"$tf" output -raw connection_string >"$outputs/connection-string"
echo "== wrote $outputs/branch-name and $outputs/connection-string (not shown: it holds a password)"
