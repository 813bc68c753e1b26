# Pops the agent's window each time the widget is created or replaced (Terraform 1.14 and later).
action "genesys_screenpop" "announce" {
  config {
    user_id        = "agent-1"
    application_id = "com.example.crm"
    target_url     = "https://crm.example.com/agent-view"
    customer_data = {
      note = "A new dashboard is live"
    }
  }
}

resource "terraform_data" "dashboard_release" {
  input = "dashboard-v2"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.genesys_screenpop.announce]
    }
  }
}
