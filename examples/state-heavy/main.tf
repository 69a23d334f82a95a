# A state-heavy join, sized the way teams often size it: for the disk, plus a margin.
#
#   declared state         240 GB (RocksDB, a Table API join over 7 days of orders)
#   disk needed            240 GB × storage factor 2.0                = 480 GB
#   KPUs for the disk      ceil(480 GB / 50 GB per KPU)               = 10 KPUs
#   KPUs for throughput    required parallelism 4, 1 per KPU          =  4 KPUs
#   configured             parallelism 12 (terraform.tfvars), 1/KPU   = 12 KPUs (600 GB)
#   billed                 12 + 1 orchestration KPU                   = 13 KPUs
#   monthly cost           13 × 730 h × $0.11 + 600 GB × $0.10        = $1,103.90
#
# kpulint reports:
#   KPU004 overscale-margin  12 KPUs are 20% above the 10 needed: 2 extra KPUs × $85.30 = $170.60/month
#   KPU005 bundle-waste      8 of 12 KPUs' vCPU and memory (66.67%) is idle; the 6 KPUs bought only
#                            for disk (10 − 4) cost 6 × 730 h × $0.11 = $481.80/month in vCPU and memory
# Autoscaling is off, so KPU010 (slow rescale of 240 GB) does not apply.

provider "aws" {
  region = var.region
}

locals {
  name = "orders-join-${var.environment}"
}

# kpulint: state_size=240GB required_parallelism=4
resource "aws_kinesisanalyticsv2_application" "orders_join" {
  name                   = local.name
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/${local.name}"

  application_configuration {
    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = var.code_bucket_arn
          file_key   = "orders-join/orders-join-1.4.2.jar"
        }
      }
    }

    application_snapshot_configuration {
      snapshots_enabled = true
    }

    flink_application_configuration {
      checkpoint_configuration {
        configuration_type            = "CUSTOM"
        checkpointing_enabled         = true
        checkpoint_interval           = 60000
        min_pause_between_checkpoints = 5000
      }

      monitoring_configuration {
        configuration_type = "CUSTOM"
        log_level          = "INFO"
        metrics_level      = "OPERATOR"
      }

      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = var.flink_parallelism
        parallelism_per_kpu  = var.flink_parallelism_per_kpu
      }
    }
  }

  tags = {
    team        = "checkout"
    environment = var.environment
  }
}
