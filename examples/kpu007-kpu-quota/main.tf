# KPU007 kpu-quota: parallelism 80 at 1 per KPU needs 80 KPUs, above the default quota of 64 KPUs
# per application. Raise parallelism_per_kpu or request a quota increase (then set kpu_quota in
# .kpulint.hcl).
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
  }
}
