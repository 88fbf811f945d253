# Reads go test -json (gotestsum's --jsonfile) and prints one line naming
# the tests that skipped because the Terraform CLI is too old for what
# they test (or is OpenTofu, which lacks it), with the command that runs
# them on a CLI that has it; nothing when none did. Their skip messages
# come from terraform-plugin-testing's tfversion checks ("Terraform CLI
# version 1.11.4 is below minimum version 1.14.0") and the provider's own
# ("... needs Terraform 1.14 or later ...", "OpenTofu does not support
# ...; set TF_ACC_TERRAFORM_PATH to Terraform 1.14 or later ...").
# Variables: module (the module path, stripped from package names), cli
# (the CLI's version line), run_path (what to set TF_ACC_TERRAFORM_PATH to).

function field(line, name,    i, rest) {
  i = index(line, "\"" name "\":\"")
  if (i == 0) return ""
  rest = substr(line, i + length(name) + 4)
  return substr(rest, 1, index(rest, "\"") - 1)
}

# vless(a, b): version a is below version b.
function vless(a, b,    x, y, n, i) {
  n = split(a, x, ".")
  if (split(b, y, ".") > n) n = split(b, y, ".")
  for (i = 1; i <= n; i++) {
    if (x[i] + 0 < y[i] + 0) return 1
    if (x[i] + 0 > y[i] + 0) return 0
  }
  return 0
}

/"Action":"output"/ && /"Test":"/ {
  out = substr($0, index($0, "\"Output\":\""))
  need = ""
  if (match(out, /below minimum version [0-9][0-9.]*/)) {
    need = substr(out, RSTART + 22, RLENGTH - 22)
  } else if (match(out, /Terraform [0-9][0-9.]* or later/)) {
    need = substr(out, RSTART + 10, RLENGTH - 19)
  }
  if (need != "") needs[field($0, "Package") SUBSEP field($0, "Test")] = need
  next
}

/"Action":"skip"/ && /"Test":"/ {
  key = field($0, "Package") SUBSEP field($0, "Test")
  if (!(key in needs)) next
  count++
  need = needs[key]
  if (max == "" || vless(max, need)) max = need
  pkg = field($0, "Package")
  sub("^" module, ".", pkg)
  if (!(pkg in seenpkg)) { seenpkg[pkg] = 1; pkgs = pkgs " " pkg }
  top = field($0, "Test")
  sub(/\/.*/, "", top)
  if (!(top in seentop)) { seentop[top] = 1; ntop++; tops = tops (tops == "" ? "" : "|") top }
}

END {
  if (count == 0) exit
  names = tops
  gsub(/\|/, ", ", names)
  what = count == 1 ? "1 test" : count " tests"
  if (ntop != count) what = what " in " ntop " top-level tests"
  printf "skipped for the CLI's version (%s): %s: %s; Terraform %s or later runs them: TF_ACC=1 TF_ACC_TERRAFORM_PATH=%s bash .ci/gotest.sh%s -run '^(%s)$' -count=1\n",
    cli, what, names, max, run_path, pkgs, tops
}
