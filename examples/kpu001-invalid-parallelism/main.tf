# KPU001 invalid-parallelism: parallelism must be at least 1 and parallelism_per_kpu 1 to 8.
# Terraform and the API only check that both are at least 1, so `terraform plan` accepts
# parallelism_per_kpu = 10; the service rejects it.
# kpulint: state_size=20GB required_parallelism=4
resource "aws_kinesisanalyticsv2_application" "invalid" {
  name                   = "invalid-parallelism"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-invalid"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 0
        parallelism_per_kpu  = 10
      }
    }
  }
}
