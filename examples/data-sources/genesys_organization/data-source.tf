data "genesys_organization" "current" {}

output "org_name" {
  value = data.genesys_organization.current.name
}
