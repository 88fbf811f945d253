#!/bin/bash
# Delete step of the xata-branch plugin: terraform destroy in the sandbox's
# state workspace, then the workspace itself. Running it again, after the
# branch was deleted by hand, or for a sandbox whose create step never made
# a branch, succeeds. It decides from the state and from a lookup of the
# branch by name, never from the wording of an error.
source "$(dirname "$0")/common.sh"

# workspace_exists prints yes or no: whether the sandbox's workspace is
# in the state database. It fails when the workspaces cannot be listed.
workspace_exists() {
  local list
  list=$("$tf" workspace list -no-color) || return 1
  if sed 's/^[* ]*//' <<<"$list" | grep -qx -- "$workspace"; then echo yes; else echo no; fi
}

# delete_workspace removes the sandbox's (empty) workspace. It meets the
# backend's creation lock like workspace creation, and terraform workspace
# delete does not honour -lock-timeout, so it is retried; a workspace an
# earlier attempt removed counts as removed.
delete_workspace() {
  retry "$tf" workspace select -no-color default
  retry delete_workspace_once
}
delete_workspace_once() {
  "$tf" workspace delete -no-color "$workspace" || [ "$(workspace_exists)" = no ]
}

# unrecorded_branch prints the id of a live branch named sb-<sandbox>, if
# any: what a create step killed before it saved the state leaves behind.
# The lookup runs in a configuration of its own (lookup/), with local state.
unrecorded_branch() {
  local dir="$work/lookup"
  mkdir -p "$dir"
  cp "$runner_dir"/lookup/*.tf "$dir"/
  # The image's provider version pin (provider_version_override.tf) applies
  # here too.
  find "$runner_dir" -maxdepth 1 -name '*_override.tf' -exec cp {} "$dir"/ \;
  (
    cd "$dir"
    retry "$tf" init -no-color
    quiet "$tf" apply -auto-approve -no-color -var "name=sb-${sandbox}"
    "$tf" output -raw id
  )
}

recorded=
exists=$(workspace_exists)
if [ "$exists" = yes ]; then
  retry "$tf" workspace select -no-color "$workspace"
  recorded=$("$tf" state list)
fi

if [ -z "$recorded" ]; then
  id=$(unrecorded_branch)
  if [ -z "$id" ]; then
    if [ "$exists" = yes ]; then
      delete_workspace
    fi
    echo "== no branch sb-${sandbox} and no state: nothing to delete"
    exit 0
  fi
  retry "$tf" workspace select -or-create -no-color "$workspace"
  quiet "$tf" import -no-color "$lock_timeout" "${vars[@]}" xata_branch.sandbox "$id"
  echo "== adopted unrecorded branch sb-${sandbox} (${id})"
fi

echo "== destroy branch sb-${sandbox}"
# The delete needs only the id the state holds: a refresh would spend two
# requests of the key's shared quota reading a branch about to go, and a
# branch already deleted by hand is fine (deleting it again succeeds).
"$tf" destroy -auto-approve -no-color -refresh=false "$lock_timeout" "${vars[@]}"
delete_workspace
echo "== deleted state workspace ${workspace}"
