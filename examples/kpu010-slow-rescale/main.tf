# KPU010 slow-rescale: autoscaling is on, and 240 GB of state takes about 240 / 12 = 20 minutes to
# snapshot and restore at 12 GB/min on every scale event (limit 10 minutes). parallelism 10 is
# exactly the 10 KPUs the disk and the required parallelism need: size it statically.
# kpulint: state_size=240GB required_parallelism=10
resource "aws_kinesisanalyticsv2_application" "rescale" {
  name                   = "slow-rescale"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-rescale"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = true
        parallelism          = 10
        parallelism_per_kpu  = 1
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "rescale/rescale.jar"
        }
      }
    }
  }
}
