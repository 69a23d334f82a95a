# KPU013 declaration-disagrees-with-measurement: the declarations say 40 GB of state and
# parallelism 12 (12 KPUs); eight days of CloudWatch evidence (evidence/) measure 119.52 GB of
# disk in use (19.92% of 12 KPUs × 50 GB) and ceil(12 KPUs × 22.65% CPU p95 ÷ 70% target) = 4
# KPUs. Both differ by more than evidence.tolerance (25%): the state below, the compute above.
# kpulint: state_size=40GB required_parallelism=12
resource "aws_kinesisanalyticsv2_application" "ledger" {
  name                   = "ledger"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-ledger"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 12
        parallelism_per_kpu  = 1
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "ledger/ledger.jar"
        }
      }
    }
  }
}
