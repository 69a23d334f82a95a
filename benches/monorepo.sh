#!/usr/bin/env bash
# Benchmark: kpulint on a synthetic Terraform monorepo vs. just reading the same files.
# Usage: benches/monorepo.sh [DIRS] [FLINK_EVERY]   (defaults: 2000 module dirs, every 50th has Flink)
# Needs hyperfine (`apt-get install hyperfine`); installs it when missing and apt is available.
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=${1:-2000}
every=${2:-50}
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
cargo build --release --locked -q
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
for i in $(seq 1 "$dirs"); do
  d="$repo/svc$i"
  mkdir -p "$d"
  # A typical non-Flink module: variables, locals and a few resources (~3 KB).
  cat > "$d/main.tf" <<TF
variable "name" { default = "svc$i" }
variable "size" { default = $((i % 7 + 1)) }
locals {
  tags = { team = "t$((i % 13))", service = var.name }
  count = var.size * 2
}
resource "aws_s3_bucket" "b" {
  bucket = "\${var.name}-data"
  tags   = local.tags
}
resource "aws_sqs_queue" "q" {
  name                       = "\${var.name}-q"
  visibility_timeout_seconds = 30 * local.count
  tags                       = local.tags
}
resource "aws_iam_role" "r" {
  name = "\${var.name}-role"
  assume_role_policy = <<POLICY
{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}
POLICY
}
TF
  cp "$d/main.tf" "$d/extra.tf"; sed -i 's/"b"/"b2"/; s/"q"/"q2"/; s/"r"/"r2"/; s/^variable.*//; s/^locals {/locals {\n  other = 1/' "$d/extra.tf"
  if (( i % every == 0 )); then
    cat > "$d/flink.tf" <<TF
# kpulint: state_size=$((i % 300 + 20))GB required_parallelism=$((i % 8 + 1))
resource "aws_kinesisanalyticsv2_application" "app" {
  name                = "\${var.name}-flink"
  runtime_environment = "FLINK-1_20"
  application_configuration {
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        parallelism          = var.size * 3
        parallelism_per_kpu  = 1
        auto_scaling_enabled = false
      }
    }
  }
}
TF
  fi
done
files=$(find "$repo" -name '*.tf' | wc -l)
bytes=$(find "$repo" -name '*.tf' -exec cat {} + | wc -c)
echo "monorepo: $dirs module dirs, $files .tf files, $bytes bytes, $(( dirs / every )) Flink applications"
# Reading every .tf file once (the floor) vs. kpulint on the whole tree.
find "$repo" -name '*.tf' > "$repo.list"
hyperfine --warmup 3 --runs 20 -N --ignore-failure \
  "xargs -a $repo.list cat" \
  "./target/release/kpulint $repo --quiet --format json" 2>&1 | grep -v '^ *$'
rm -f "$repo.list"
