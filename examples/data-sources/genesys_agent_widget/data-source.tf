# One widget another team manages, by its exact name (an error unless exactly one matches):
#   data "genesys_agent_widget" "dashboard" {
#     name = "Agent dashboard"
#     type = "webapp"
#   }

# The whole configuration of every staging widget, to promote each to another org.
data "genesys_agent_widgets" "to_promote" {
  name_prefix = "staging-"
}

data "genesys_agent_widget" "to_promote" {
  count = length(data.genesys_agent_widgets.to_promote.ids)
  id    = data.genesys_agent_widgets.to_promote.ids[count.index]
}

output "manifest_urls" {
  value = { for w in data.genesys_agent_widget.to_promote : w.name => w.manifest_url }
}
