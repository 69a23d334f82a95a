# KPU009 unresolved-value: var.flink_parallelism has no default and no value is given, so the
# application cannot be sized. kpulint never guesses; supply the value:
#   kpulint examples/kpu009-unresolved-value --var flink_parallelism=8
variable "flink_parallelism" {
  type = number
}

# kpulint: state_size=20GB required_parallelism=8
resource "aws_kinesisanalyticsv2_application" "orders" {
  name                   = "orders-enrichment"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-orders"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = var.flink_parallelism
        parallelism_per_kpu  = 1
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "orders/orders.jar"
        }
      }
    }
  }
}
