# Refuse a module input at plan when its widget would not be allowed in production.
variable "dashboard_url" {
  type    = string
  default = "https://widgets.example.com/dashboard/index.html"

  validation {
    condition     = provider::genesys::origin_allowed(var.dashboard_url, ["widgets.example.com", "*.cloudfront.net"])
    error_message = "dashboard_url must be hosted on widgets.example.com or CloudFront."
  }
}

output "dashboard_allowed" {
  value = provider::genesys::origin_allowed(var.dashboard_url, ["widgets.example.com", "*.cloudfront.net"]) # true
}
