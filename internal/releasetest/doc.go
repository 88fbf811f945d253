// Package releasetest proves that the release artifacts .goreleaser.yml
// describes install the way users get them: from a provider registry, over
// HTTPS, checked against the signed SHA256SUMS, by the real Terraform and
// OpenTofu CLIs; and that the binaries inside are static, so they run in
// any runner image.
//
// The tests build a release for the platforms they need with the build
// flags and names read from .goreleaser.yml (or, with RELEASE_DIST_DIR, take
// the one `make release-snapshot` left in dist/), sign its SHA256SUMS with a
// throwaway OpenPGP key, and serve it as a registry on loopback. They need
// TF_ACC=1 and TF_ACC_TERRAFORM_PATH (and TF_ACC_TOFU_PATH for a second
// CLI), as `make test` sets; nothing outside the machine is contacted.
//
// The package has no code of its own; its tests are the point.
package releasetest
