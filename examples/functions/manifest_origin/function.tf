# The allow-list entry that admits a URL, in the canonical form the provider compares.
output "origin" {
  value = provider::genesys::manifest_origin("https://Widgets.Example.com:8443/app/index.html") # "widgets.example.com:8443"
}
