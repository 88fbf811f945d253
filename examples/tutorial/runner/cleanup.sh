#!/bin/bash
# Delete step of the xata-branch plugin: terraform destroy in the sandbox's
# state workspace, then the workspace itself. Running it again, or after the
# branch was deleted by hand, succeeds.
source "$(dirname "$0")/common.sh"

if ! quiet "$tf" workspace select -no-color "$workspace" 2>/dev/null; then
  echo "== no state workspace ${workspace}: nothing to delete"
  exit 0
fi

vars=(-var "sandbox=${sandbox}" -var "parent_branch=${PARENT_BRANCH:-main}")
if [ -z "$("$tf" state list)" ]; then
  # A create step killed before it saved state leaves the branch unrecorded:
  # take it into state by name so destroy removes it.
  if "$tf" import -no-color "${vars[@]}" xata_branch.sandbox "sb-${sandbox}" >"$work/import.log" 2>&1; then
    echo "== adopted unrecorded branch sb-${sandbox}"
  elif ! grep -q "Xata Branch To Import Not Found" "$work/import.log"; then
    cat "$work/import.log" >&2
    exit 1
  fi
fi

echo "== destroy branch sb-${sandbox}"
"$tf" destroy -auto-approve -no-color "${vars[@]}"
quiet "$tf" workspace select -no-color default
quiet "$tf" workspace delete -no-color "$workspace"
echo "== deleted state workspace ${workspace}"
