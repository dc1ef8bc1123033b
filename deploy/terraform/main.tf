# The lambda-telemetry-otel layers, built into dist/ by npm run build:standalone (the Node layer
# and the standalone x86_64 and arm64 layers), and a sample Node.js function that exports its
# telemetry through the Node layer over OTLP/HTTP. See deploy/README.md.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4"
    }
  }
}

provider "aws" {
  # null: the provider's own configuration (AWS_REGION, the profile) decides.
  region = var.region
}

locals {
  layer_zip = "${path.module}/../../dist/layer.zip"
  # One standalone layer per architecture, each with its own node.
  standalone_zips = {
    x86_64 = "${path.module}/../../dist/layer-standalone-x86_64.zip"
    arm64  = "${path.module}/../../dist/layer-standalone-arm64.zip"
  }
  # The Amazon Linux 2023 runtimes (Lambda takes at most 15 per layer version; dotnet8, deprecated
  # on 10 Nov 2026, is left out). They only filter layer listings: the layer runs on any of them.
  standalone_runtimes = [
    "nodejs22.x", "nodejs24.x", "python3.12", "python3.13", "python3.14",
    "java8.al2023", "java11.al2023", "java17.al2023", "java21", "java25",
    "dotnet10", "ruby3.3", "ruby3.4", "ruby4.0", "provided.al2023",
  ]
}

data "aws_partition" "current" {}

resource "aws_lambda_layer_version" "telemetry" {
  layer_name       = var.layer_name
  description      = "Lambda Telemetry API to OpenTelemetry traces, metrics and logs over OTLP/HTTP"
  filename         = local.layer_zip
  source_code_hash = filebase64sha256(local.layer_zip)
  license_info     = "Apache-2.0"

  # The launcher runs the bundle with the runtime's node; the bundle is pure JavaScript.
  compatible_runtimes      = ["nodejs22.x", "nodejs24.x"]
  compatible_architectures = ["x86_64", "arm64"]
}

# For runtimes without node (Python, Java, .NET, Ruby, OS-only): the layer of the function's
# architecture, e.g. aws_lambda_layer_version.standalone["arm64"].arn.
resource "aws_lambda_layer_version" "standalone" {
  for_each = local.standalone_zips

  layer_name       = "${var.layer_name}-standalone-${each.key}"
  description      = "Lambda Telemetry API to OpenTelemetry over OTLP/HTTP, Node.js bundled (${each.key})"
  filename         = each.value
  source_code_hash = filebase64sha256(each.value)
  license_info     = "Apache-2.0"

  compatible_runtimes      = local.standalone_runtimes
  compatible_architectures = [each.key]
}

# The same sample handler as the SAM template's.
data "archive_file" "sample" {
  type        = "zip"
  source_dir  = "${path.module}/../sam/src"
  output_path = "${path.module}/.build/sample-function.zip"
}

resource "aws_iam_role" "sample" {
  name_prefix = "${var.function_name}-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

# CloudWatch Logs only: the extension needs no AWS permission of its own.
resource "aws_iam_role_policy_attachment" "basic_execution" {
  role       = aws_iam_role.sample.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_cloudwatch_log_group" "sample" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "sample" {
  function_name    = var.function_name
  role             = aws_iam_role.sample.arn
  handler          = "index.handler"
  runtime          = "nodejs22.x"
  architectures    = ["arm64"]
  filename         = data.archive_file.sample.output_path
  source_code_hash = data.archive_file.sample.output_base64sha256
  memory_size      = 256
  timeout          = 10
  layers           = [aws_lambda_layer_version.telemetry.arn]

  environment {
    variables = {
      OTEL_EXPORTER_OTLP_ENDPOINT = var.otlp_endpoint
      # Empty means no headers, as unset does.
      OTEL_EXPORTER_OTLP_HEADERS = var.otlp_headers
      OTEL_SERVICE_NAME          = var.service_name
      LAMBDA_OTEL_FLUSH          = var.flush_mode
    }
  }

  depends_on = [aws_iam_role_policy_attachment.basic_execution, aws_cloudwatch_log_group.sample]
}
