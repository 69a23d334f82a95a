# KPU008 undeclared-state: no `# kpulint: state_size=...` comment, no "kpulint:state_size" tag and
# no .kpulint.hcl entry, so kpulint cannot check whether 4 KPUs × 50 GB hold the state.
resource "aws_kinesisanalyticsv2_application" "undeclared" {
  name                   = "undeclared-state"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-undeclared"

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
          file_key   = "undeclared/undeclared.jar"
        }
      }
    }
  }
}
