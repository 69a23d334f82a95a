# A Zalando-shaped join (engineering.zalando.com, 2026-03): state cut from 240 GB to 56 GB, the
# bill down only about 13%, because compute and the margin held the KPUs, not the disk.
#
#   today                 parallelism 28 at 1 per KPU (a 16.7% margin on the need of 24)
#   KPUs for the disk     240 GB × storage factor 2.0 = 480 GB → 10 KPUs
#   KPUs for compute      required parallelism 24, 1 per KPU → 24 KPUs   (compute binds)
#   today's cost          (28 + 1) × 730 h × $0.11 + 28 × 50 GB × $0.10 = $2,328.70 + $140.00 = $2,468.70
#   right-sized           (24 + 1) × 730 h × $0.11 + 24 × 50 GB × $0.10 = $2,007.50 + $120.00 = $2,127.50
#
#   kpulint what-if examples/whatif --state-size 56GB
#   56 GB × 2.0 = 112 GB → 3 KPUs of disk: compute still binds at 24 KPUs, so cutting the state
#   by 76.7% saves no KPU (−0%); dropping the margin saves $341.20 = 13.8% of $2,468.70.

provider "aws" {
  region = "us-east-1"
}

# kpulint: state_size=240GB required_parallelism=24
resource "aws_kinesisanalyticsv2_application" "product_offers" {
  name                   = "product-offer-enrichment"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/product-offer-enrichment"

  application_configuration {
    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "product-offer-enrichment/product-offer-enrichment-2.0.0.jar"
        }
      }
    }

    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 28
        parallelism_per_kpu  = 1
      }
    }
  }
}
