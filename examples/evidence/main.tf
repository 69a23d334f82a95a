# Evidence: what the running applications use, exported by the AWS CLI (see README.md here).
# Nothing is declared for orders-join: its needs are measured. payments declares needs the
# measurement contradicts (KPU013); someone raised clicks' parallelism outside Terraform (KPU014).
resource "aws_kinesisanalyticsv2_application" "checkout_join" {
  name                   = "orders-join"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-orders-join"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 14
        parallelism_per_kpu  = 1
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "orders_join/orders_join.jar"
        }
      }
    }
  }
}

# kpulint: state_size=240GB required_parallelism=12
resource "aws_kinesisanalyticsv2_application" "fraud_scoring" {
  name                   = "payments"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-payments"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 12
        parallelism_per_kpu  = 1
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

resource "aws_kinesisanalyticsv2_application" "click_enrichment" {
  name                   = "clicks"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink-clicks"

  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = 8
        parallelism_per_kpu  = 1
      }
    }

    application_code_configuration {
      code_content_type = "ZIPFILE"

      code_content {
        s3_content_location {
          bucket_arn = "arn:aws:s3:::flink-artifacts-123456789012"
          file_key   = "clicks/clicks.jar"
        }
      }
    }
  }
}
