import {
  to = genesys_agent_widget.dashboard
  id = "6b1d3c2e-2f0a-4c1e-9a57-0c5d3f1b7e42"
}
