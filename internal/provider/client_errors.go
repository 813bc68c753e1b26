package provider

import (
	"errors"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
)

// Which service a call went to, so that an error can name the setting that points at it.
const (
	serviceAPI       = "api"
	serviceScreenPop = "screenpop"
)

// Where each service's URL comes from, for errors of calls made after configuration, when the
// provider block's own values are no longer at hand. signInDiagnostic names the exact setting.
const (
	apiURLFrom       = "api_url (or " + envAPIURL + "), or environment when api_url is unset"
	loginURLFrom     = "login_url (or " + envLoginURL + "); while it is unset, environment (https://login.{environment}), or api_url when environment is unset too"
	screenPopURLFrom = "screenpop.endpoint_url, or api_url when that is unset"
)

// credentialsHint is the fix for refused client credentials.
const credentialsHint = "The OAuth service refused the client credentials: check client_id and client_secret (or " +
	envClientID + " and " + envClientSecret + "). They must be the ID and secret of a client-credentials " +
	"OAuth client of this org, and environment (or login_url) must name the org's region."

// clientErrorDetail is the detail of a diagnostic for an error from the API client: what happened,
// in the client's words, followed by what to change, in the provider's words. The client
// classifies the failure (refused credentials, a connection refused, no such host, TLS); only the
// provider knows which attribute or environment variable the user set to cause it.
func clientErrorDetail(err error, service string) string {
	text := err.Error()
	if hint := clientErrorHint(err, service); hint != "" {
		text += ".\n\n" + hint
	}
	return text
}

func clientErrorHint(err error, service string) string {
	if hint := timeoutHint(err); hint != "" {
		return hint
	}
	if client.IsCredentialsRefused(err) {
		return credentialsHint
	}
	if client.IsRateLimited(err) {
		return "The service's rate limit refused the request every time the provider may retry it " +
			"(max_rate_limit_retries): other clients of the org are using its allowance. Raise max_rate_limit_retries, " +
			"or run Terraform with a lower -parallelism, or when the org is quieter."
	}
	var tokenErr *client.TokenError
	var stateErr *client.ReportedStateError
	switch {
	case errors.As(err, &tokenErr):
		return signInHint(tokenErr, loginURLFrom)
	case errors.As(err, &stateErr):
		return "Genesys Cloud reports the widget " + stateErr.State.Code + ", a state it does not leave on its own: " +
			"correct what its message names in the widget's configuration (usually manifest_url) and apply again, " +
			"or set status to \"inactive\" to keep it disabled."
	case service == serviceScreenPop:
		return failureHint(err, screenPopURLFrom)
	default:
		return failureHint(err, apiURLFrom)
	}
}

// signInDiagnostic is the error of a provider that could not sign in when it was configured,
// against the setting the login service's URL came from.
func signInDiagnostic(err error, loginFrom settingSource) diag.Diagnostic {
	if client.IsCredentialsRefused(err) {
		return diag.NewErrorDiagnostic("Genesys Cloud refused the client credentials", err.Error()+".\n\n"+credentialsHint)
	}
	detail := "The provider signs in to Genesys Cloud when it is configured, " + loginFrom.at + ", and could not: " + err.Error() + "."
	var tokenErr *client.TokenError
	if errors.As(err, &tokenErr) {
		detail += "\n\n" + signInHint(tokenErr, loginFrom.words)
	} else if hint := failureHint(err, loginFrom.words); hint != "" {
		detail += "\n\n" + hint
	}
	return diag.NewAttributeErrorDiagnostic(path.Root(loginFrom.attr), "Unable to sign in to Genesys Cloud", detail)
}

// signInHint says what to change after a failed token grant that was not a refusal of the
// credentials: where refers to the setting the login service's URL came from.
func signInHint(err *client.TokenError, where string) string {
	switch {
	case err.Status == 0:
		if hint := failureHint(err, where); hint != "" {
			return hint
		}
		return "Check " + where + "."
	case client.IsTokenCreationLimited(err):
		return "The login service refuses this OAuth client new tokens for now (it limits how many a client " +
			"creates a minute, and each Terraform command creates at least one, up to max_access_tokens): wait a " +
			"minute and run the command again; if it persists, check what else signs in with client_id, and lower " +
			"max_access_tokens while runs share it."
	case err.Status == http.StatusTooManyRequests || err.Status >= 500:
		return "The login service is failing or limiting requests, after every retry the provider allows " +
			"(max_retries, max_rate_limit_retries): run the command again later; if it persists, check " + where + "."
	default:
		return "A server answered, but not as the Genesys Cloud login service does: check that " + where +
			" points at the org's login service (or at the emulator)."
	}
}

// failureHint says what to do about a call that got no answer, naming where, the setting that
// points at the service called; "" when the failure is none the client classifies.
func failureHint(err error, where string) string {
	switch client.Failure(err) {
	case client.FailureRefused:
		return "Nothing accepts connections at that address: check " + where + ", and that the service is running."
	case client.FailureNoSuchHost:
		return "The host name does not exist: check " + where + " for a typo."
	case client.FailureDNS, client.FailureUnreach:
		return "The host could not be reached from this machine: check " + where + " and this machine's network " +
			"(DNS, proxy, firewall)."
	case client.FailureTLS:
		return "The TLS handshake failed: the server's certificate is not trusted by this machine or not valid for " +
			"that host, or the server does not speak TLS at all. Check " + where + ": a local emulator is " +
			"written with http://, and a certificate of your own authority needs that authority trusted by this " +
			"machine (SSL_CERT_FILE)."
	case client.FailureReset, client.FailureClosed:
		return "The connection broke before the answer came, after every retry max_retries allows: " +
			"run the command again; if it persists, check " + where + " and any proxy in between."
	case client.FailureTimeout:
		return "No answer came in time, after every retry max_retries allows: run the command again; " +
			"if it persists, check " + where + "."
	}
	return ""
}
