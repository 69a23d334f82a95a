environment = "prod"

# 12 = the 10 KPUs the 480 GB of disk need, plus a 20% safety margin "against restart cycles".
flink_parallelism = 12
