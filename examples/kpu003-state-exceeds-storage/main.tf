# KPU003 state-exceeds-storage: 240 GB of state × storage factor 2.0 = 480 GB → 10 KPUs of running
# storage, but parallelism 4 at 1 per KPU buys 4 KPUs × 50 GB = 200 GB. Only the state is declared.
# kpulint: state_size=240GB
resource "aws_kinesisanalyticsv2_application" "too_small" {
  name                   = "state-exceeds-storage"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-too-small"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 4
        parallelism_per_kpu  = 1
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "too-small/too-small.jar"
        }
      }
    }
  }
}
