// Package validators holds the small attribute validators the genesys provider's schemas share.
// Each one has a description a user can act on: the framework shows it in docs and in diagnostics.
package validators
