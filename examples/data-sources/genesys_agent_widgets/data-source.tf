# Every active widget whose name starts with "staging-", in a stable order.
data "genesys_agent_widgets" "staging" {
  name_prefix    = "staging-"
  reported_state = "ACTIVE"
}

output "staging_widget_names" {
  value = data.genesys_agent_widgets.staging.widgets[*].name
}
