# KPU012 max-parallelism-ceiling: autoscaling is on at parallelism 80 (4 per KPU, 20 KPUs). The
# job declares no max parallelism, so Flink derives min(max(roundUpToPowerOfTwo(80 + 40), 128),
# 32768) = 128. The first scale-up doubles parallelism to 160 (below the ceiling 4 × 64 = 256),
# past 128: keyed state cannot be rescaled to it.
# kpulint: state_size=100GB required_parallelism=80
resource "aws_kinesisanalyticsv2_application" "payments" {
  name                   = "payments-fraud"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-payments"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = true
        parallelism          = 80
        parallelism_per_kpu  = 4
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "payments/payments.jar"
        }
      }
    }
  }
}
