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

# delete_unrecorded deletes branch $1, which no state records, through a
# local state in this step's private directory, gone when the step ends:
# the import that adopts the branch stores its credentials (an import
# cannot know store_credentials), and they must not reach the shared state
# database.
delete_unrecorded() {
  local dir="$work/unrecorded"
  mkdir -p "$dir"
  cp "$runner_dir"/*.tf "$dir"/
  cat >"$dir/backend_override.tf" <<'TF'
terraform {
  backend "local" {}
}
TF
  (
    cd "$dir"
    retry "$tf" init -no-color
    quiet "$tf" import -no-color "${vars[@]}" xata_branch.sandbox "$1"
    echo "== destroy unrecorded branch sb-${sandbox} ($1)"
    "$tf" destroy -auto-approve -no-color -refresh=false "${vars[@]}"
  )
}

# What the sandbox's state records: the branch, xata_branch.sandbox (the
# benchmark's stand-in runner names its resource sandbox too), and the
# resource that wrote the step's output, which alone means the branch was
# lost from the state.
recorded=
exists=$(workspace_exists)
if [ "$exists" = yes ]; then
  retry "$tf" workspace select -no-color "$workspace"
  recorded=$("$tf" state list)
fi

if ! grep -qE '^[a-z0-9_]+\.sandbox$' <<<"$recorded"; then
  id=$(unrecorded_branch)
  if [ -n "$id" ]; then
    delete_unrecorded "$id"
  else
    echo "== no branch sb-${sandbox} in state or in the project: nothing to delete"
  fi
fi

if [ -n "$recorded" ]; then
  echo "== destroy what the state of sandbox ${sandbox} records"
  # The delete needs only the id the state holds: a refresh would spend two
  # requests of the key's shared quota reading a branch about to go, and a
  # branch already deleted by hand is fine (deleting it again succeeds).
  "$tf" destroy -auto-approve -no-color -refresh=false "$lock_timeout" "${vars[@]}"
fi
if [ "$exists" = yes ]; then
  delete_workspace
  echo "== deleted state workspace ${workspace}"
fi
