# The URL a genesys_screenpop with this target and customer_data opens (without the session token).
output "pop_url" {
  value = provider::genesys::screenpop_url("https://crm.example.com/customer", {
    customerId = "42"
    topic      = "billing & refunds"
  }) # "https://crm.example.com/customer#customerId=42&topic=billing%20%26%20refunds"
}
