# KPU011 underprovisioned: the job needs parallelism 16 (required_parallelism), but parallelism 4
# at 1 per KPU runs only 4 slots on 4 KPUs and autoscaling is off: nothing will add the other 12,
# so the job cannot keep up (error). The state (60 GB × 2.0 = 120 GB → 3 KPUs) fits either way.
# kpulint: state_size=60GB required_parallelism=16
resource "aws_kinesisanalyticsv2_application" "clickstream" {
  name                   = "clickstream-sessions"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-clickstream"

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
          file_key   = "clickstream/clickstream.jar"
        }
      }
    }
  }
}
