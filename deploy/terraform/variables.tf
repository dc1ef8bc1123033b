variable "region" {
  description = "AWS Region to deploy to; null leaves it to the provider's configuration (AWS_REGION, the profile)."
  type        = string
  default     = null
}

variable "otlp_endpoint" {
  description = "OTEL_EXPORTER_OTLP_ENDPOINT: the OTLP/HTTP base URL; /v1/traces, /v1/metrics and /v1/logs are appended."
  type        = string

  validation {
    condition     = can(regex("^https?://.+", var.otlp_endpoint))
    error_message = "otlp_endpoint must be an http:// or https:// URL, e.g. https://otlp.example.com:4318."
  }
}

variable "otlp_headers" {
  description = "OTEL_EXPORTER_OTLP_HEADERS: key=value pairs separated by commas (e.g. an API key); empty for none."
  type        = string
  default     = ""
  sensitive   = true
}

variable "service_name" {
  description = "OTEL_SERVICE_NAME: the service.name of everything the function exports."
  type        = string
  default     = "lambda-telemetry-otel-sample"
}

variable "flush_mode" {
  description = "LAMBDA_OTEL_FLUSH: when to export (adaptive, end, periodic, periodic,<ms> or shutdown)."
  type        = string
  default     = "adaptive"

  validation {
    condition     = can(regex("^(adaptive|end|shutdown|periodic(,[0-9]+)?)$", var.flush_mode))
    error_message = "flush_mode must be adaptive, end, periodic, periodic,<ms> or shutdown."
  }
}

variable "layer_name" {
  description = "Name of the Lambda layer."
  type        = string
  default     = "lambda-telemetry-otel"
}

variable "function_name" {
  description = "Name of the sample function."
  type        = string
  default     = "lambda-telemetry-otel-sample"
}

variable "log_retention_days" {
  description = "Retention of the sample function's CloudWatch log group, in days."
  type        = number
  default     = 14
}
