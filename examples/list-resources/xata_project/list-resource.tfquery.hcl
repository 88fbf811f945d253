# Every project of the organization whose name starts with team-.
list "xata_project" "teams" {
  provider = xata
  config {
    name_regex = "^team-"
  }
}
