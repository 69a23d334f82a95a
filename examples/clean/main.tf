# Clean: sized exactly for what is declared. Storage needs 56 GB × 2.0 = 112 GB → 3 KPUs, compute
# needs 12 / 2 = 6 KPUs; parallelism 12 at 2 per KPU buys exactly 6 KPUs (300 GB of disk).
# Autoscaling stays on: 56 GB restores in about 56 / 12 = 4.67 minutes, and the first scale-up
# (to 24) stays below Flink's default max parallelism of 128.
# kpulint: state_size=56GB required_parallelism=12
resource "aws_kinesisanalyticsv2_application" "clean" {
  name                   = "clean"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-clean"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = true
        parallelism          = 12
        parallelism_per_kpu  = 2
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "clean/clean.jar"
        }
      }
    }
  }
}
