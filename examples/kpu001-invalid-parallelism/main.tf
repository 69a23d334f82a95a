# KPU001 invalid-parallelism: AWS documents parallelism_per_kpu as 1 to 8, but Terraform only
# checks that it is at least 1, so `terraform plan` accepts 10 (it rejects parallelism = 0, which
# is why this example has only the one fault). kpulint cannot size the application.
# kpulint: state_size=20GB required_parallelism=4
resource "aws_kinesisanalyticsv2_application" "invalid" {
  name                   = "invalid-parallelism"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-invalid"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 4
        parallelism_per_kpu  = 10
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "invalid/invalid.jar"
        }
      }
    }
  }
}
