# KPU010 slow-rescale: autoscaling is on, and 240 GB of state takes about 12 minutes to snapshot
# and restore at 20 GB/min on every scale event (limit 10 minutes). parallelism 10 is exactly the
# 10 KPUs the disk needs.
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
  }
}
