resource "genesys_agent_widget" "dashboard" {
  name         = "Agent dashboard"
  description  = "Live queue metrics beside every conversation"
  type         = "webapp"
  manifest_url = "https://widgets.example.com/dashboard/index.html"
  status       = "active"
  display_type = "widget"

  sandbox     = ["allow-forms", "allow-popups", "allow-same-origin", "allow-scripts"]
  permissions = ["clipboard-write"]

  dimensions = {
    width  = 750
    height = 500
  }
  refresh_interval_ms = 5000
}
