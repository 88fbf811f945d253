package acctest

import (
	"regexp"
	"strings"
	"testing"
)

// TestContractFromEnv: no variable is an ordinary run, all four a
// contract run with the emulator's offerings as defaults, and some of
// them an error naming the missing ones.
func TestContractFromEnv(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	if c, err := contractFromEnv(env(nil)); c != nil || err != nil {
		t.Errorf("no variables: %v, %v; want an ordinary run", c, err)
	}
	all := map[string]string{
		"XATA_CONTRACT_BASE_URL": "https://xata.example", "XATA_CONTRACT_API_KEY": "xau_k",
		"XATA_CONTRACT_ORGANIZATION_ID": "org", "XATA_CONTRACT_PROJECT_ID": "prj",
	}
	c, err := contractFromEnv(env(all))
	if err != nil || c == nil {
		t.Fatalf("all four: %v, %v", c, err)
	}
	if c.baseURL != "https://xata.example" || c.apiKey != "xau_k" || c.organizationID != "org" || c.projectID != "prj" ||
		c.region != defaultContractRegion || c.instanceType != defaultContractInstanceType || c.image != defaultContractImage {
		t.Errorf("all four: %+v", c)
	}
	if !regexp.MustCompile(`^tfc-[a-z2-7]{6}-$`).MatchString(c.run) {
		t.Errorf("run prefix %q, want tfc-<6 lowercase letters or digits>-", c.run)
	}
	all["XATA_CONTRACT_REGION"] = "eu-central-1"
	if c, _ := contractFromEnv(env(all)); c.region != "eu-central-1" {
		t.Errorf("XATA_CONTRACT_REGION not taken: %q", c.region)
	}
	delete(all, "XATA_CONTRACT_API_KEY")
	delete(all, "XATA_CONTRACT_PROJECT_ID")
	if _, err := contractFromEnv(env(all)); err == nil || !strings.Contains(err.Error(), "XATA_CONTRACT_API_KEY, XATA_CONTRACT_PROJECT_ID not") {
		t.Errorf("two missing: %v; want an error naming them", err)
	}
}
