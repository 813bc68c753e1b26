# The demo: a promotion pipeline across two Genesys Cloud orgs, run against the bundled emulator by
# `make demo`. Widgets are created and activated in staging, then promoted to production once
# staging reports every one of them ACTIVE; a screen pop tells an agent the release is live.

terraform {
  required_providers {
    genesys = {
      source = "terraform-genesys/genesys"
    }
  }
}

variable "api_url" {
  description = "Where both orgs are reached; make demo points it at the emulator it starts."
  type        = string
}

variable "audit_log_path" {
  description = "File the audit trail of both orgs is appended to."
  type        = string
}

provider "genesys" {
  alias          = "staging"
  client_id      = "org-a-client"
  client_secret  = "org-a-secret"
  api_url        = var.api_url
  audit_log_path = var.audit_log_path

  widget_constraints {
    allowed_origins = ["widgets.example.com", "*.cloudfront.net"]
  }
  screenpop {
    signing_secret  = "emulator-signing-secret"
    allowed_domains = ["crm.example.com"]
  }
}

provider "genesys" {
  alias          = "production"
  client_id      = "org-b-client"
  client_secret  = "org-b-secret"
  api_url        = var.api_url
  audit_log_path = var.audit_log_path

  widget_constraints {
    allowed_origins = ["widgets.example.com", "*.cloudfront.net"]
  }
}

locals {
  widgets = {
    dashboard = {
      name         = "Agent dashboard"
      type         = "webapp"
      manifest_url = "https://widgets.example.com/dashboard/index.html"
      dimensions   = { width = 750, height = 500 }
      refresh      = 5000
    }
    customer_360 = {
      name         = "Customer 360"
      type         = "integration"
      manifest_url = "https://d111111abcdef8.cloudfront.net/c360/index.html"
      dimensions   = { width = 400, height = 600 }
      refresh      = 30000
    }
    knowledge = {
      name         = "Knowledge search"
      type         = "webapp"
      manifest_url = "https://widgets.example.com/knowledge/"
      dimensions   = null
      refresh      = null
    }
  }
}

data "genesys_organization" "staging" {
  provider = genesys.staging
}

data "genesys_organization" "production" {
  provider = genesys.production
}

resource "genesys_agent_widget" "staging" {
  provider = genesys.staging
  for_each = local.widgets

  name                = each.value.name
  description         = "Managed by Terraform (staging)"
  type                = each.value.type
  manifest_url        = each.value.manifest_url
  dimensions          = each.value.dimensions
  refresh_interval_ms = each.value.refresh
}

resource "genesys_agent_widget" "production" {
  provider = genesys.production
  # Promote only what staging activated.
  for_each = { for k, w in genesys_agent_widget.staging : k => local.widgets[k] if w.reported_state == "ACTIVE" }

  name                = each.value.name
  description         = "Managed by Terraform (promoted from ${data.genesys_organization.staging.name})"
  type                = each.value.type
  manifest_url        = each.value.manifest_url
  dimensions          = each.value.dimensions
  refresh_interval_ms = each.value.refresh
}

resource "genesys_screenpop" "release_note" {
  provider = genesys.staging

  user_id        = "agent-1"
  application_id = genesys_agent_widget.staging["dashboard"].id
  target_url     = "https://crm.example.com/agent-view"
  customer_data = {
    release = "widgets-2026-11"
  }
  state = {
    uiMode = "focused"
  }
  triggers = {
    widgets = join(",", sort([for w in genesys_agent_widget.production : w.id]))
  }
}

output "staging_org" {
  value = data.genesys_organization.staging.name
}

output "production_org" {
  value = data.genesys_organization.production.name
}

output "widgets" {
  description = "Each widget's ID and reported state in both orgs."
  value = {
    for k, w in genesys_agent_widget.staging : k => {
      staging    = "${w.id} (${w.reported_state})"
      production = try("${genesys_agent_widget.production[k].id} (${genesys_agent_widget.production[k].reported_state})", "not promoted")
    }
  }
}

output "screenpop" {
  value = {
    pop_id         = genesys_screenpop.release_note.pop_id
    window_focused = genesys_screenpop.release_note.window_focused
    latency_ms     = genesys_screenpop.release_note.latency_ms
  }
}
