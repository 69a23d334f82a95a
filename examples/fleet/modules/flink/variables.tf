variable "name" {
  type = string
}

variable "parallelism" {
  type    = number
  default = 1
}

variable "parallelism_per_kpu" {
  type    = number
  default = 1
}

variable "state_size" {
  type        = string
  description = "Declared RocksDB state size, e.g. \"240GB\" (read by kpulint from the tag)"
}

variable "required_parallelism" {
  type        = number
  description = "Parallelism the throughput needs (read by kpulint from the tag)"
}
