#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the repository's examples and test fixtures (libFuzzer adds
# what it finds next to them; corpus/ is not committed).
set -eu
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
seed() { # target, then find arguments
  target=$1
  shift
  mkdir -p "$fuzz/corpus/$target"
  find "$root/examples" "$root/tests/fixtures" -type f "$@" | while read -r f; do
    cp "$f" "$fuzz/corpus/$target/$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
  done
}
seed hcl_module -name '*.tf'
# Override files as the fourth part (after main.tf, the child module and terraform.tfvars), and
# one that merges into the target's own application.
find "$root/tests/fixtures" -type f \( -name '*override.tf' -o -name '*override.tf.json' \) | while read -r f; do
  { printf '\0\0\0\0\0\0'; cat "$f"; } > "$fuzz/corpus/hcl_module/override-$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
done
printf '\0\0\0\0\0\0provider "aws" {\n  region = "eu-west-2"\n}\nvariable "fuzz_parallelism" {\n  default = 6\n}\nresource "aws_kinesisanalyticsv2_application" "fuzz" {\n  application_configuration {\n    flink_application_configuration {\n      dynamic "parallelism_configuration" {\n        for_each = [1]\n        content {\n          configuration_type = "CUSTOM"\n          parallelism        = var.fuzz_parallelism\n        }\n      }\n    }\n  }\n}\n' > "$fuzz/corpus/hcl_module/override-app"
seed precheck -name '*.tf'
seed tf_json -name '*.tf.json'
seed plan -name 'plan.json'
seed cfn_json -name '*.json' ! -name '*.tf.json' ! -name 'plan.json'
seed cfn_yaml \( -name '*.yaml' -o -name '*.yml' \)
seed config -name '.kpulint.hcl'
seed vars -name '*.tfvars'
seed hcl_objects \( -name '*.tf' -o -name '*.tfvars' \)
seed plan_reader -name 'plan.json'
# fix: Terraform files, tfvars and templates, each as the first part (main.tf) and, after
# NUL NUL, as the tfvars and the template.
mkdir -p "$fuzz/corpus/fix"
find "$root/examples" "$root/tests/fixtures" -type f \( -name '*.tf' -o -name '*.tfvars' \) | while read -r f; do
  cp "$f" "$fuzz/corpus/fix/tf-$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
  { printf '\0\0'; cat "$f"; } > "$fuzz/corpus/fix/tfvars-$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
done
find "$root/examples" "$root/tests/fixtures" -type f \( -name '*.yaml' -o -name '*.yml' \) | while read -r f; do
  { printf '\0\0\0\0'; cat "$f"; } > "$fuzz/corpus/fix/yaml-$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
done
# Directives: the comment lines of every .tf file that carry one.
mkdir -p "$fuzz/corpus/directives"
find "$root/examples" "$root/tests/fixtures" -type f -name '*.tf' -exec grep -h 'kpulint' {} + \
  | sed 's/^ *\(#\|\/\/\) *//' | sort -u | while read -r line; do
    printf '%s\n' "$line" > "$fuzz/corpus/directives/$(printf '%s' "$line" | cksum | cut -d' ' -f1)"
  done
# The fixtures hold one .kpulint.hcl: add the README's example (its first `defaults {` block
# to the end of that code block).
awk '/^defaults \{/ { on = 1 } on && /^```/ { exit } on' "$root/README.md" > "$fuzz/corpus/config/readme"
for t in "$fuzz"/corpus/*; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done
