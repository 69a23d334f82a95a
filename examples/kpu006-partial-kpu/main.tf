# KPU006 partial-kpu: parallelism 10 with 4 slots per KPU needs ceil(10 / 4) = 3 KPUs; 2 of the
# last KPU's 4 slots are paid for and idle. parallelism 12 fills them at the same 3 KPUs (8 would
# be below the required parallelism 10).
# kpulint: state_size=50GB required_parallelism=10
resource "aws_kinesisanalyticsv2_application" "partial" {
  name                   = "partial-kpu"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-partial"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 10
        parallelism_per_kpu  = 4
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "partial/partial.jar"
        }
      }
    }
  }
}
