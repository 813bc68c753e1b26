# terraform query -generate-config-out=widgets.tf finds the org's widgets and writes
# import blocks and resource configuration for them (Terraform 1.14 and later).
list "genesys_agent_widget" "sales" {
  provider = genesys

  config {
    name_prefix = "Sales"
    type        = "webapp"
  }
}
