# Credentials come from GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET; keep them out of code.
provider "genesys" {
  environment = "mypurecloud.com"

  widget_constraints {
    allowed_origins = ["widgets.example.com", "*.cloudfront.net"]
    max_width       = 800
    max_height      = 600
  }

  screenpop {
    allowed_domains = ["crm.example.com", "*.example.net"]
    # signing_secret comes from GENESYS_SCREENPOP_SIGNING_SECRET.
  }

  # The audit trail (one JSON line per change and pop) goes to audit_log_path, or to
  # GENESYS_AUDIT_LOG when that is set.
}
