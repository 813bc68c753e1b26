package main

import (
	"os"
	"slices"
	"strings"
)

// pluginLogLevelVariables are the variables the plugin libraries read their log levels from:
// terraform-plugin-go's SDK root and protocol loggers, terraform-plugin-framework's, and this
// provider's own (tflog's root logger, named after the provider type).
var pluginLogLevelVariables = []string{
	"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_GENESYS",
}

// limitPluginLogLevels makes the provider log no finer than Terraform keeps. Terraform keeps a
// provider's log lines at the level TF_LOG_PROVIDER names, else TF_LOG, and none when both are
// unset; but each plugin logger whose variable is unset logs at TRACE, so every RPC formats
// dozens of JSON lines (every attribute path the framework visits) that Terraform reads off the
// pipe and throws away. Measured with GENESYS_PROVIDER_CPUPROFILE, that was a quarter of the
// provider's CPU time in an apply. A variable already set is left alone, so asking for a
// subsystem's log still works exactly as the plugin documentation says.
func limitPluginLogLevels() {
	level := keptLogLevel(os.Getenv("TF_LOG_PROVIDER"), os.Getenv("TF_LOG"))
	if level == "" {
		return
	}
	for _, v := range pluginLogLevelVariables {
		if _, set := os.LookupEnv(v); !set {
			_ = os.Setenv(v, level)
		}
	}
}

// keptLogLevel is the level Terraform keeps a provider's log at, given TF_LOG_PROVIDER and
// TF_LOG: "OFF" when neither is set, the level named when it is one Terraform knows, and ""
// (meaning TRACE, which is already the plugin loggers' default) for JSON or a name it does not.
// OpenTofu reads the same two variables the same way.
func keptLogLevel(provider, global string) string {
	v := strings.ToUpper(provider)
	if v == "" {
		v = strings.ToUpper(global)
	}
	switch {
	case v == "":
		return "OFF"
	case slices.Contains([]string{"DEBUG", "INFO", "WARN", "ERROR", "OFF"}, v):
		return v
	}
	return ""
}
