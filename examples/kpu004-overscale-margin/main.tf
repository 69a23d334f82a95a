# KPU004 overscale-margin: storage needs ceil(56 GB × 2.0 / 50 GB) = 3 KPUs, the declared need is
# 12 KPUs, parallelism 14 buys 14: 16.67% above need (threshold 10%), 2 extra KPUs at $85.30 each.
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
  }
}
