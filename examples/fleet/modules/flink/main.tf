resource "aws_kinesisanalyticsv2_application" "this" {
  name                   = var.name
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/${var.name}"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        parallelism          = var.parallelism
        parallelism_per_kpu  = var.parallelism_per_kpu
        auto_scaling_enabled = false
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "this/this.jar"
        }
      }
    }
  }

  tags = {
    "kpulint:state_size"           = var.state_size
    "kpulint:required_parallelism" = tostring(var.required_parallelism)
  }
}
