# KPU903 unattached-declaration: a declaration attaches to the comment block directly above a
# resource (blank lines may sit between its comments, not below it). The first one below is cut
# off by a blank line, the second sits above a bucket: neither reaches the application, so KPU903
# says so instead of leaving only "no declared state size".

# kpulint: state_size=40GB required_parallelism=4

resource "aws_kinesisanalyticsv2_application" "orders" {
  name                   = "orders"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-orders"

  application_configuration {
    application_code_configuration {
      code_content_type = "ZIPFILE"
      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "orders.jar"
        }
      }
    }

    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 4
        parallelism_per_kpu  = 1
      }
    }
  }
}

# kpulint: state_size=10GB
resource "aws_s3_bucket" "checkpoints" {
  bucket = "orders-checkpoints"
}

# Payments: a comment block may hold blank lines between its comments.
#
# kpulint: state_size=20GB required_parallelism=2

/* Owned by the payments team. */
resource "aws_kinesisanalyticsv2_application" "payments" {
  name                   = "payments"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-payments"

  application_configuration {
    application_code_configuration {
      code_content_type = "ZIPFILE"
      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "payments.jar"
        }
      }
    }

    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 2
        parallelism_per_kpu  = 1
      }
    }
  }
}
