package xataemu

import (
	"strconv"
	"strings"
)

// Small fixed catalogues used to validate branch input. Instance types
// follow the platform's store.go (vCPU requests in millicores, RAM in GB);
// prices are made up.

var instanceTypes = []struct {
	name       string
	millicores int
	ramGB      int
	hourlyRate float64
	// maxConnections is the default max_connections Postgres parameter for
	// the type; GET reports it merged into the branch's parameters.
	maxConnections int
}{
	{"xata.micro", 250, 1, 0.012, 50},
	{"xata.small", 500, 2, 0.024, 100},
	{"xata.medium", 1000, 4, 0.048, 200},
	{"xata.large", 2000, 8, 0.096, 400},
	{"xata.xlarge", 4000, 16, 0.192, 800},
	{"xata.2xlarge", 8000, 32, 0.384, 1600},
	{"xata.4xlarge", 16000, 64, 0.768, 3200},
	{"xata.8xlarge", 32000, 128, 1.536, 5000},
}

const storageMonthlyRate = 0.25

// images is the list the open-source server answered on GET /images when
// an outside review served its REST handler (the reference NOTES §4.3 give
// only the wire shape and the example postgres:17.9). An update may move
// only to a later minor of the same major, so tests that need two minors
// use 16.11 → 16.13 or 17.7 → 17.9.
var images = []string{
	"postgres:14.20", "postgres:14.22",
	"postgres:15.15", "postgres:15.17",
	"postgres:16.11", "postgres:16.13",
	"postgres:17.5", "postgres:17.6", "postgres:17.7", "postgres:17.9",
	"postgres:18.0", "postgres:18.1", "postgres:18.3",
}

func knownInstanceType(name string) bool {
	for _, it := range instanceTypes {
		if it.name == name {
			return true
		}
	}
	return false
}

func defaultMaxConnections(instanceType string) int {
	for _, it := range instanceTypes {
		if it.name == instanceType {
			return it.maxConnections
		}
	}
	return instanceTypes[0].maxConnections
}

func knownImage(name string) bool {
	for _, im := range images {
		if im == name {
			return true
		}
	}
	return false
}

// imageParts splits "postgres:17.9" into offering, major and minor.
func imageParts(image string) (offering string, major, minor int) {
	offering, version, _ := strings.Cut(image, ":")
	majorText, minorText, _ := strings.Cut(version, ".")
	major, _ = strconv.Atoi(majorText)
	minor, _ = strconv.Atoi(minorText)
	return offering, major, minor
}

// The regions every emulated organization sees; Options.Region is added in
// front when it is not one of them.
var builtinRegions = []string{"us-east-1", "eu-central-1"}
