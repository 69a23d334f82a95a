# KPU015 stale-evidence: the CloudWatch export (evidence/) covers two days, less than
# evidence.min_days (7): it is used for nothing but this note, and the parallelism stays
# what it is (no compute need is declared or measured).
# kpulint: state_size=20GB
resource "aws_kinesisanalyticsv2_application" "sessions" {
  name                   = "sessions"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-sessions"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 6
        parallelism_per_kpu  = 1
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "sessions/sessions.jar"
        }
      }
    }
  }
}
