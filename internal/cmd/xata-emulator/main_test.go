package main

import (
	"testing"
	"time"
)

// TestProvisionDelayOption: -provision-delay 0 (or negative) is
// immediately, which xataemu.Options spells negative; its 0 would be a
// default delay.
func TestProvisionDelayOption(t *testing.T) {
	for in, want := range map[time.Duration]time.Duration{0: -1, -time.Second: -1, 2 * time.Second: 2 * time.Second} {
		if got := provisionDelayOption(in); got != want {
			t.Errorf("provisionDelayOption(%v) = %v, want %v", in, got, want)
		}
	}
}
