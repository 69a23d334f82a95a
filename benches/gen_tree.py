#!/usr/bin/env python3
"""Synthetic Terraform monorepos for benches/monorepo.sh (deterministic: same arguments, same bytes).

  gen_tree.py corpus OUT [--copies N]          a tree shaped like a collection of public Terraform
                                               repositories (~11,800 files, ~17 MB, 14 Flink
                                               applications per copy), N copies side by side
  gen_tree.py big OUT [--mb 50]                one module of one .tf file holding one Flink
                                               application among --mb megabytes of other resources
  gen_tree.py flink OUT --copies N [--from DIR]  N copies of a Flink-heavy folder: DIR when given
                                               (e.g. a checkout of real Flink infrastructure),
                                               otherwise a generated one (124 files, 49 applications)

Only the Python standard library is used.
"""

import argparse
import os
import random
import shutil

RESOURCE_TYPES = [
    "aws_s3_bucket", "aws_iam_role", "aws_iam_policy", "aws_security_group", "aws_lambda_function",
    "aws_cloudwatch_log_group", "aws_sqs_queue", "aws_sns_topic", "aws_kinesis_stream",
    "aws_dynamodb_table", "aws_route53_record", "aws_instance", "aws_db_instance", "aws_eks_node_group",
]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def variables_tf(rng, n):
    out = []
    for i in range(n):
        kind = rng.choice(["string", "number", "bool", "map(string)", "list(string)"])
        default = {
            "string": f'"value-{rng.randrange(1000)}"',
            "number": str(rng.randrange(1, 100)),
            "bool": rng.choice(["true", "false"]),
            "map(string)": "{}",
            "list(string)": "[]",
        }[kind]
        out.append(
            f'variable "var_{i}" {{\n  description = "Setting number {i} of this module, '
            f'described at some length as real modules do."\n  type        = {kind}\n'
            f"  default     = {default}\n}}\n"
        )
    return "\n".join(out)


def resource(rng, rtype, name):
    lines = [f'resource "{rtype}" "{name}" {{']
    lines.append(f'  name = "${{var.name}}-{name}"')
    for j in range(rng.randrange(3, 12)):
        lines.append(f'  setting_{j} = {rng.choice(["var.var_0", "local.common", str(rng.randrange(100)), chr(34) + "x" * rng.randrange(3, 40) + chr(34)])}')
    if rtype == "aws_iam_policy":
        lines.append("  policy = <<EOF")
        lines.append('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}')
        lines.append("EOF")
    lines.append("  tags = merge(local.tags, {")
    lines.append(f'    Component = "{name}"')
    lines.append("  })")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main_tf(rng, n_resources, calls=()):
    out = ['locals {\n  common = "shared"\n  tags   = { Team = var.team, Repo = "synthetic" }\n}\n']
    for i in range(n_resources):
        out.append(resource(rng, rng.choice(RESOURCE_TYPES), f"r{i}"))
    for name, source in calls:
        out.append(f'module "{name}" {{\n  source = "{source}"\n  name   = var.name\n  team   = var.team\n}}\n')
    return "\n".join(out)


def flink_app(name, parallelism, per_kpu, state_gb, autoscaling="false"):
    return f'''# kpulint: state_size={state_gb}GB required_parallelism={max(1, parallelism // 2)}
resource "aws_kinesisanalyticsv2_application" "{name}" {{
  name                   = "${{var.name}}-{name}"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"

  application_configuration {{
    flink_application_configuration {{
      checkpoint_configuration {{
        configuration_type = "DEFAULT"
      }}
      parallelism_configuration {{
        configuration_type   = "CUSTOM"
        parallelism          = {parallelism}
        parallelism_per_kpu  = {per_kpu}
        auto_scaling_enabled = {autoscaling}
      }}
    }}
  }}
}}
'''


def module_vars():
    return 'variable "name" {\n  type    = string\n  default = "svc"\n}\n\nvariable "team" {\n  type    = string\n  default = "data"\n}\n'


def corpus(out, copy, rng):
    """One copy: 45 repositories of modules, examples calling them, JSON and YAML."""
    apps = 0
    for r in range(45):
        repo = os.path.join(out, f"copy{copy:03}", f"owner{r}__repo{r}")
        write(os.path.join(repo, ".gitignore"), ".terraform/\n*.tfstate\nbuild/\n")
        write(os.path.join(repo, "README.md"), "# A Terraform module\n" * 20)
        n_modules = rng.randrange(40, 80)
        for m in range(n_modules):
            mdir = os.path.join(repo, "modules", f"m{m}")
            write(os.path.join(mdir, "variables.tf"), module_vars() + variables_tf(rng, rng.randrange(8, 26)))
            write(os.path.join(mdir, "main.tf"), main_tf(rng, rng.randrange(6, 15)))
            write(os.path.join(mdir, "outputs.tf"), "".join(
                f'output "o{i}" {{\n  value = "x"\n}}\n' for i in range(rng.randrange(1, 5))))
            write(os.path.join(mdir, "versions.tf"),
                  'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = ">= 5.0" }\n  }\n}\n')
        for e in range(rng.randrange(15, 35)):
            edir = os.path.join(repo, "examples", f"e{e}")
            calls = [(f"m{m}", f"../../modules/m{m}") for m in rng.sample(range(n_modules), 2)]
            calls.append(("remote", "terraform-aws-modules/vpc/aws"))
            write(os.path.join(edir, "main.tf"), module_vars() + main_tf(rng, 1, calls))
        for j in range(rng.randrange(3, 8)):
            write(os.path.join(repo, "policies", f"p{j}.json"),
                  '{"Version": "2012-10-17", "Statement": [' + ",".join(
                      '{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}' for _ in range(rng.randrange(2, 30))) + "]}\n")
        write(os.path.join(repo, ".github", "workflows", "ci.yml"), "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n")
        write(os.path.join(repo, "ci", "pipeline.yaml"), "stages:\n" + "".join(f"  - name: s{i}\n" for i in range(40)))
        # 14 Flink applications per copy: in the first 14 repositories.
        if r < 14:
            fdir = os.path.join(repo, "flink")
            write(os.path.join(fdir, "variables.tf"), module_vars())
            write(os.path.join(fdir, "main.tf"), flink_app("app", 4 + r, 1 + r % 4, 20 * (r + 1)))
            apps += 1
    return apps


def flink_folder(out):
    """One generated Flink-heavy folder: a shared module used by three environments, 46
    standalone applications, and the usual neighbours (IAM, JSON, YAML)."""
    rng = random.Random(7)
    write(os.path.join(out, "modules", "flink", "variables.tf"),
          module_vars() + 'variable "parallelism" {\n  type    = number\n  default = 2\n}\n')
    write(os.path.join(out, "modules", "flink", "main.tf"),
          flink_app("this", 2, 1, 50).replace("parallelism          = 2", "parallelism          = var.parallelism"))
    write(os.path.join(out, "modules", "flink", "outputs.tf"), 'output "arn" {\n  value = "x"\n}\n')
    for env, p in [("dev", 2), ("staging", 4), ("prod", 12)]:
        edir = os.path.join(out, "envs", env)
        write(os.path.join(edir, "variables.tf"), module_vars())
        write(os.path.join(edir, "main.tf"),
              f'module "flink" {{\n  source      = "../../modules/flink"\n  name        = "{env}"\n  parallelism = {p}\n}}\n'
              + main_tf(rng, 6))
        write(os.path.join(edir, "terraform.tfvars"), f'name = "{env}"\n')
    for a in range(46):
        adir = os.path.join(out, "apps", f"app{a}")
        write(os.path.join(adir, "variables.tf"), module_vars() + variables_tf(rng, 12))
        write(os.path.join(adir, "main.tf"),
              flink_app("app", 1 + a % 16, 1 + a % 4, 10 * (1 + a % 30), "true" if a % 5 == 0 else "false")
              + main_tf(rng, 40))
    for j in range(10):
        write(os.path.join(out, "policies", f"p{j}.json"), '{"Version": "2012-10-17", "Statement": []}\n')
    for j in range(5):
        write(os.path.join(out, "k8s", f"d{j}.yaml"), "apiVersion: apps/v1\nkind: Deployment\n" + "x: 1\n" * 200)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["corpus", "flink", "big"])
    ap.add_argument("--mb", type=int, default=50)
    ap.add_argument("out")
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--from", dest="source")
    args = ap.parse_args()
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    if args.mode == "big":
        rng = random.Random(3)
        parts = [module_vars(), flink_app("app", 8, 2, 100), main_tf(rng, 0)]
        size, i = sum(map(len, parts)), 0
        while size < args.mb * 1_000_000:
            r = resource(rng, rng.choice(RESOURCE_TYPES), f"r{i}")
            parts.append(r)
            size, i = size + len(r), i + 1
        write(os.path.join(args.out, "main.tf"), "".join(parts))
        return
    if args.mode == "corpus":
        rng = random.Random(1)
        state = rng.getstate()
        for c in range(args.copies):
            rng.setstate(state)  # every copy the same bytes, as copies of one corpus
            corpus(args.out, c, rng)
        return
    source = args.source
    if source is None:
        source = os.path.join(args.out, ".unit")
        flink_folder(source)
    for c in range(args.copies):
        shutil.copytree(source, os.path.join(args.out, f"copy{c:04}"), symlinks=True)
    if args.source is None:
        shutil.rmtree(source)


if __name__ == "__main__":
    main()
