package main

import (
	"os"
	"testing"
)

func TestKeptLogLevel(t *testing.T) {
	tests := []struct {
		provider, global, want string
	}{
		{"", "", "OFF"},             // Terraform keeps nothing: the plugin loggers are switched off
		{"", "off", "OFF"},          // as written by hand
		{"", "debug", "DEBUG"},      // TF_LOG applies to providers when TF_LOG_PROVIDER is unset
		{"info", "trace", "INFO"},   // TF_LOG_PROVIDER wins over TF_LOG
		{"", "TRACE", ""},           // TRACE is the plugin loggers' own default: nothing to set
		{"", "json", ""},            // JSON means TRACE to Terraform
		{"", "verbose", ""},         // an unknown name means TRACE to Terraform
		{"warn", "", "WARN"},        // a provider level alone
		{"error", "off", "ERROR"},   // the provider's wins even over a global OFF
		{"", " debug", ""},          // Terraform does not trim: an unknown name, so TRACE
		{"OFF", "TRACE", "OFF"},     // provider logs off, Terraform's own at TRACE
		{"", "Error", "ERROR"},      // case does not matter
		{"trace", "", ""},           // TRACE asked for the provider alone
		{"", "INFO", "INFO"},        // upper case as documented
		{"", "WARN", "WARN"},        // every level Terraform names
		{"", "ERROR", "ERROR"},      // idem
		{"DEBUG", "DEBUG", "DEBUG"}, // both the same
		{"", "OFF", "OFF"},          // idem
		{"json", "off", ""},         // JSON for providers alone
		{"bogus", "debug", ""},      // an unknown provider level is TRACE, whatever TF_LOG says
	}
	for _, tt := range tests {
		if got := keptLogLevel(tt.provider, tt.global); got != tt.want {
			t.Errorf("keptLogLevel(%q, %q) = %q, want %q", tt.provider, tt.global, got, tt.want)
		}
	}
}

func TestLimitPluginLogLevels(t *testing.T) {
	// t.Setenv restores every variable after the test; os.Unsetenv then makes it unset for it.
	for _, v := range append([]string{"TF_LOG", "TF_LOG_PROVIDER"}, pluginLogLevelVariables...) {
		t.Setenv(v, "")
		if err := os.Unsetenv(v); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("TF_LOG_SDK_PROTO", "trace") // asked for by hand: left alone
	limitPluginLogLevels()
	for _, v := range pluginLogLevelVariables {
		want := "OFF"
		if v == "TF_LOG_SDK_PROTO" {
			want = "trace"
		}
		if got := os.Getenv(v); got != want {
			t.Errorf("%s = %q, want %q", v, got, want)
		}
	}

	// With TF_LOG=TRACE nothing is set: the plugin loggers' default is what Terraform keeps.
	t.Setenv("TF_LOG", "TRACE")
	for _, v := range pluginLogLevelVariables {
		if err := os.Unsetenv(v); err != nil {
			t.Fatal(err)
		}
	}
	limitPluginLogLevels()
	for _, v := range pluginLogLevelVariables {
		if got, set := os.LookupEnv(v); set {
			t.Errorf("TF_LOG=TRACE: %s set to %q, want it unset", v, got)
		}
	}
}
