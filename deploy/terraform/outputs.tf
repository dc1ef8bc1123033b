output "layer_version_arn" {
  description = "The published layer version, to add to other functions."
  value       = aws_lambda_layer_version.telemetry.arn
}

output "function_name" {
  description = "The sample function; invoke it with aws lambda invoke."
  value       = aws_lambda_function.sample.function_name
}
