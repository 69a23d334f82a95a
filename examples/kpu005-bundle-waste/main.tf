# KPU005 bundle-waste: 240 GB of state × 2.0 = 480 GB → 10 KPUs of disk, but the job needs
# only parallelism 2 (2 KPUs of vCPU and memory). 8 of the 10 KPUs (80%) are bought only for
# disk: 8 × 730 h × $0.11 = $642.40/month of idle vCPU and memory. Only less state cures it:
# parallelism 10 is exactly what the disk needs, so KPU004 stays quiet and nothing else fires.
# kpulint: state_size=240GB required_parallelism=2
resource "aws_kinesisanalyticsv2_application" "disk_bound" {
  name                   = "bundle-waste"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-disk-bound"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 10
        parallelism_per_kpu  = 1
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "disk-bound/disk-bound.jar"
        }
      }
    }
  }
}
