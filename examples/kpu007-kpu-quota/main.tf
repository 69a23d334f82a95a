# KPU007 kpu-quota: parallelism 80 at 1 per KPU needs 80 KPUs, above the default quota of 64 KPUs
# per application. The required parallelism 80 fits the quota only at 2 per KPU (40 KPUs; not a
# safe fix: each slot gets half a vCPU), or request a quota increase and set kpu_quota.
# kpulint: state_size=100GB required_parallelism=80
resource "aws_kinesisanalyticsv2_application" "huge" {
  name                   = "kpu-quota"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-huge"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 80
        parallelism_per_kpu  = 1
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "huge/huge.jar"
        }
      }
    }
  }
}
