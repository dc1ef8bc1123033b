output "layer_version_arn" {
  description = "The published Node layer version, to add to other Node.js functions."
  value       = aws_lambda_layer_version.telemetry.arn
}

output "standalone_layer_version_arns" {
  description = "The published standalone layer versions by architecture (x86_64, arm64), for functions of other runtimes."
  value       = { for arch, layer in aws_lambda_layer_version.standalone : arch => layer.arn }
}

output "function_name" {
  description = "The sample function; invoke it with aws lambda invoke."
  value       = aws_lambda_function.sample.function_name
}
