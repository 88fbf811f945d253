package main

import (
	"slices"
	"testing"
)

func TestLogVariablesToSilence(t *testing.T) {
	silenced := []string{"TF_LOG_SDK", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_XATA"}
	tests := []struct {
		name    string
		environ []string
		want    []string
	}{
		{"nothing asked", []string{"HOME=/root", "PATH=/bin", "TF_CLI_CONFIG_FILE=/x"}, silenced},
		{"empty environment", nil, silenced},
		{"a variable merely containing TF_LOG", []string{"MY_TF_LOG=trace"}, silenced},
		{"TF_LOG", []string{"TF_LOG=DEBUG"}, nil},
		{"TF_LOG set empty still counts", []string{"TF_LOG="}, nil},
		{"provider logs only", []string{"TF_LOG_PROVIDER=TRACE"}, nil},
		{"this provider's logs only", []string{"TF_LOG_PROVIDER_XATA=DEBUG"}, nil},
		{"SDK logs", []string{"TF_LOG_SDK_FRAMEWORK=TRACE"}, nil},
		{"a log file", []string{"TF_LOG_PATH=/tmp/tf.log"}, nil},
		{"acceptance test logs", []string{"TF_ACC_LOG_PATH=/tmp/acc.log"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := logVariablesToSilence(tt.environ); !slices.Equal(got, tt.want) {
				t.Errorf("logVariablesToSilence(%q) = %q, want %q", tt.environ, got, tt.want)
			}
		})
	}
}
