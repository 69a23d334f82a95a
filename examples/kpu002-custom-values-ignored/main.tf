# KPU002 custom-values-ignored: with configuration_type = "DEFAULT" the service ignores
# parallelism, parallelism_per_kpu and auto_scaling_enabled and runs parallelism 1, 1 per KPU,
# autoscaling on. The 8 written below never takes effect; auto_scaling_enabled = true and
# parallelism_per_kpu = 1 equal what the service runs anyway, so only parallelism is reported.
# kpulint: state_size=10GB required_parallelism=1
resource "aws_kinesisanalyticsv2_application" "ignored" {
  name                   = "custom-values-ignored"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-ignored"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "DEFAULT"
        auto_scaling_enabled = true
        parallelism          = 8
        parallelism_per_kpu  = 1
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "ignored/ignored.jar"
        }
      }
    }
  }
}
