# KPU014 running-config-drift: describe-application (evidence/describe-clicks.json) shows
# Parallelism 12 and AutoScalingEnabled true; this file says 8 and false. The next apply
# restarts the running job from a snapshot: 120 GB / 12 GB/min = about 10 minutes.
# kpulint: state_size=120GB
resource "aws_kinesisanalyticsv2_application" "click_counter" {
  name                   = "clicks"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-clicks"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 8
        parallelism_per_kpu  = 1
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "clicks/clicks.jar"
        }
      }
    }
  }
}
