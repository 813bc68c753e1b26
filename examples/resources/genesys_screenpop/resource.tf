resource "genesys_screenpop" "vip_callback" {
  user_id        = "agent-1"
  application_id = "com.example.crm"
  target_url     = "https://crm.example.com/agent-view"

  customer_data = {
    customer_id = "C-1042"
    tier        = "gold"
  }
  state = {
    uiMode   = "focused"
    priority = "high"
  }

  # Changing a trigger pops the window again.
  triggers = {
    campaign = "2026-11-vip"
  }
}
