# A fleet: one module call per environment with for_each. Each instance is its own application
# (module.orders["dev"].aws_kinesisanalyticsv2_application.this, ...), sized with the arguments
# of its environment. Findings inside the module name the module call they came through.

locals {
  environments = {
    dev     = { parallelism = 1, state = "20GB", need = 1 }
    staging = { parallelism = 4, state = "80GB", need = 2 }
    prod    = { parallelism = 14, state = "240GB", need = 4 }
  }
}

module "orders" {
  source   = "./modules/flink"
  for_each = local.environments

  name                 = "orders-${each.key}"
  parallelism          = each.value.parallelism
  state_size           = each.value.state
  required_parallelism = each.value.need
}
