#!/usr/bin/env python3
"""Inputs that are large in one dimension, for benches/scale.sh (deterministic: same arguments,
same bytes). Only the Python standard library is used.

  gen_scale.py foreach OUT --entries N     one Flink resource with `for_each = local.apps`, a
                                           literal map of N entries in `locals`, each entry's
                                           `parallelism` read through `each.value` (every
                                           instance has a KPU004 finding and a fix in the map)
  gen_scale.py tfvars OUT --entries N      the same map in `terraform.tfvars` (`var.apps`)
  gen_scale.py plan FILE --apps N          a one-line plan (`terraform show -json` layout) with N
                                           Flink applications, for_each instances of one resource
             [--other-mb M]                plus about M MB of other resources (planned values,
                                           resource changes and configuration), so that the
                                           applications are a small part of a large document
"""

import argparse
import json
import os

APP = """# kpulint: state_size=240GB required_parallelism=4
resource "aws_kinesisanalyticsv2_application" "app" {
  for_each               = %s
  name                   = "app-${each.key}"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"

  application_configuration {
    application_snapshot_configuration {
      snapshots_enabled = true
    }
    flink_application_configuration {
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = each.value.parallelism
        parallelism_per_kpu  = 1
      }
    }
  }
}
"""

PROVIDER = 'provider "aws" {\n  region = "eu-west-1"\n}\n\n'


def entries(n):
    # 12 is 20% above the 10 KPUs that 240 GB of state needs: KPU004 on every instance, fixed to 10.
    return "".join('  app%06d = { parallelism = 12 }\n' % i for i in range(n))


def write(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def foreach(out, n):
    write(os.path.join(out, "main.tf"), PROVIDER + "locals {\n  apps = {\n" + entries(n) + "  }\n}\n\n" + APP % "local.apps")


def tfvars(out, n):
    variable = 'variable "apps" {\n  type = map(object({ parallelism = number }))\n}\n\n'
    write(os.path.join(out, "main.tf"), PROVIDER + variable + APP % "var.apps")
    write(os.path.join(out, "terraform.tfvars"), "apps = {\n" + entries(n) + "}\n")


def flink_values(key, parallelism):
    return {
        "application_configuration": [{
            "application_code_configuration": [{
                "code_content": [{"s3_content_location": [{"bucket_arn": "arn:aws:s3:::kpulint-bench", "file_key": "app.jar", "object_version": None}], "text_content": None}],
                "code_content_type": "ZIPFILE",
            }],
            "application_snapshot_configuration": [{"snapshots_enabled": True}],
            "environment_properties": [],
            "flink_application_configuration": [{
                "checkpoint_configuration": [],
                "monitoring_configuration": [],
                "parallelism_configuration": [{"auto_scaling_enabled": False, "configuration_type": "CUSTOM", "parallelism": parallelism, "parallelism_per_kpu": 1}],
            }],
            "run_configuration": [],
            "sql_application_configuration": [],
            "vpc_configuration": [],
        }],
        "cloudwatch_logging_options": [],
        "description": None,
        "force_stop": None,
        "name": "app-" + key,
        "runtime_environment": "FLINK-1_20",
        "service_execution_role": "arn:aws:iam::123456789012:role/flink",
        "start_application": None,
        "tags": {"kpulint:required_parallelism": "4", "kpulint:state_size": "240GB", "team": "bench"},
        "tags_all": {"kpulint:required_parallelism": "4", "kpulint:state_size": "240GB", "team": "bench"},
        "timeouts": None,
    }


def other_values(i):
    # A bucket policy: the kind of long value that makes real plans large.
    statements = [{"Sid": "s%d" % j, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/r%d" % j},
                   "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                   "Resource": ["arn:aws:s3:::bucket-%d/*" % i, "arn:aws:s3:::bucket-%d" % i]} for j in range(4)]
    return {"bucket": "bucket-%d" % i, "policy": json.dumps({"Version": "2012-10-17", "Statement": statements}),
            "tags": {"team": "bench", "index": str(i)}, "force_destroy": False}


def plan(path, n, other_mb):
    flink = "aws_kinesisanalyticsv2_application"
    resources, changes, config_resources = [], [], []
    for i in range(n):
        key = "app%06d" % i
        address = '%s.app["%s"]' % (flink, key)
        values = flink_values(key, 12)
        resources.append({"address": address, "mode": "managed", "type": flink, "name": "app", "index": key,
                          "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0, "values": values,
                          "sensitive_values": {}})
        changes.append({"address": address, "mode": "managed", "type": flink, "name": "app", "index": key,
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "change": {"actions": ["create"], "before": None, "after": values,
                                   "after_unknown": {"arn": True, "id": True}, "before_sensitive": False, "after_sensitive": {}}})
    config_resources.append({
        "address": flink + ".app", "mode": "managed", "type": flink, "name": "app", "provider_config_key": "aws",
        "expressions": {"application_configuration": [{"flink_application_configuration": [{"parallelism_configuration": [{
            "auto_scaling_enabled": {"constant_value": False}, "configuration_type": {"constant_value": "CUSTOM"},
            "parallelism": {"references": ["each.value.parallelism", "each.value"]}, "parallelism_per_kpu": {"constant_value": 1}}]}]}]},
        "schema_version": 0, "for_each_expression": {"references": ["local.apps"]}})
    size = 0
    i = 0
    while size < other_mb * 1_000_000:
        address = "aws_s3_bucket.b%d" % i
        values = other_values(i)
        r = {"address": address, "mode": "managed", "type": "aws_s3_bucket", "name": "b%d" % i,
             "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0, "values": values, "sensitive_values": {}}
        c = {"address": address, "mode": "managed", "type": "aws_s3_bucket", "name": "b%d" % i,
             "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["create"], "before": None, "after": values, "after_unknown": {"arn": True, "id": True}}}
        e = {"address": address, "mode": "managed", "type": "aws_s3_bucket", "name": "b%d" % i, "provider_config_key": "aws",
             "expressions": {"bucket": {"constant_value": values["bucket"]}, "policy": {"constant_value": values["policy"]}}, "schema_version": 0}
        resources.append(r)
        changes.append(c)
        config_resources.append(e)
        size += sum(len(json.dumps(x, separators=(",", ":"))) for x in (r, c, e))
        i += 1
    doc = {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                                        "expressions": {"region": {"constant_value": "eu-west-1"}}}},
            "root_module": {"resources": config_resources},
        },
        "timestamp": "2026-12-01T00:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="kind", required=True)
    for kind in ("foreach", "tfvars"):
        s = sub.add_parser(kind)
        s.add_argument("out")
        s.add_argument("--entries", type=int, required=True)
    s = sub.add_parser("plan")
    s.add_argument("out")
    s.add_argument("--apps", type=int, required=True)
    s.add_argument("--other-mb", type=float, default=0)
    a = p.parse_args()
    if a.kind == "foreach":
        foreach(a.out, a.entries)
    elif a.kind == "tfvars":
        tfvars(a.out, a.entries)
    else:
        plan(a.out, a.apps, a.other_mb)


if __name__ == "__main__":
    main()
