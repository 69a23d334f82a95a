variable "region" {
  type    = string
  default = "us-east-1"
}

variable "environment" {
  type    = string
  default = "dev"
}

variable "flink_parallelism" {
  description = "Operator parallelism of the orders-join job."
  type        = number
}

variable "flink_parallelism_per_kpu" {
  description = "Slots per KPU. More slots share the KPU's single 50 GB disk."
  type        = number
  default     = 1
}

variable "code_bucket_arn" {
  type    = string
  default = "arn:aws:s3:::flink-artifacts-123456789012"
}
