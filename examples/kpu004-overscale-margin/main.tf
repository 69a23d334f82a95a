# KPU004 overscale-margin: storage needs 56 GB × 2.0 = 112 GB → 3 KPUs, compute needs 12 (required
# parallelism 12), parallelism 14 buys 14: 16.67% above need (threshold 10%), 2 × $85.30/month.
# kpulint: state_size=56GB required_parallelism=12
resource "aws_kinesisanalyticsv2_application" "offers" {
  name                   = "offer-enrichment"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-offers"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = true
        parallelism          = 14
        parallelism_per_kpu  = 1
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "offers/offers.jar"
        }
      }
    }
  }
}
