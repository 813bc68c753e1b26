package provider

import (
	"errors"

	"github.com/terraform-genesys/terraform-provider-genesys/internal/client"
)

// Which service a call went to, so that an error can name the setting that points at it.
const (
	serviceAPI       = "api"
	serviceScreenPop = "screenpop"
)

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
	var tokenErr *client.TokenError
	viaLogin := errors.As(err, &tokenErr)
	if client.IsCredentialsRefused(err) {
		return "The OAuth service refused the client credentials: check client_id and client_secret (or " +
			envClientID + " and " + envClientSecret + "). They must be the ID and secret of a client-credentials " +
			"OAuth client of this org, and environment (or login_url) must name the org's region."
	}
	where := "api_url (or " + envAPIURL + "), or environment when api_url is unset"
	switch {
	case viaLogin:
		where = "login_url (or " + envLoginURL + "), or environment when login_url is unset"
	case service == serviceScreenPop:
		where = "screenpop.endpoint_url, or api_url when that is unset"
	}
	switch client.Failure(err) {
	case client.FailureRefused:
		return "Nothing accepts connections at that address: check " + where + ", and that the service is running."
	case client.FailureNoSuchHost:
		return "The host name does not exist: check " + where + " for a typo; environment must be a Genesys Cloud " +
			"region domain such as mypurecloud.com."
	case client.FailureDNS, client.FailureUnreach:
		return "The host could not be reached from this machine: check " + where + " and this machine's network " +
			"(DNS, proxy, firewall)."
	case client.FailureTLS:
		return "The TLS connection was refused: the server's certificate is not valid for that host or not trusted " +
			"by this machine. Check " + where + " (an http:// emulator must be written with http://)."
	case client.FailureReset, client.FailureClosed:
		return "The connection broke before the answer came, after every retry the provider allows (max_retries): " +
			"run the command again; if it persists, check " + where + " and any proxy in between."
	case client.FailureTimeout:
		return "No answer came in time, after every retry the provider allows (max_retries): run the command again; " +
			"if it persists, check " + where + "."
	}
	return ""
}
