#!/usr/bin/env bash
# Evidence at scale: 500 applications, the queries `kpulint evidence queries --days 14` writes
# for them, and CloudWatch's answer as AWS CLI v2 prints it (benches/fake_cloudwatch.py). Times
# reading it against `jq -c . >/dev/null` on the same file, and peak memory on exports of
# different sizes holding the same datapoints (pretty, compact, auto-paginated, the whole
# export twice). Results: benches/README.md.
#
#   benches/evidence.sh [--dir DIR] [--kpulint BIN] [--runs N] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=/tmp/kpulint-evidence-bench
bin=target/release/kpulint
runs=5
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --kpulint) bin=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || cargo build --release --locked
bin=$(realpath "$bin")
rm -rf "$dir"
mkdir -p "$dir/infra" "$dir/q"
[ "$keep" = 1 ] || trap 'rm -rf "$dir"' EXIT
export KPULINT_TODAY=2026-11-26

python3 - "$dir/infra/main.tf" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(500):
        f.write(f'''resource "aws_kinesisanalyticsv2_application" "app{i:03}" {{
  name                   = "app-{i:03}"
  runtime_environment    = "FLINK-1_20"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"
  application_configuration {{
    flink_application_configuration {{
      parallelism_configuration {{
        configuration_type   = "CUSTOM"
        auto_scaling_enabled = false
        parallelism          = {2 + i % 30}
        parallelism_per_kpu  = 1
      }}
    }}
  }}
}}
''')
PY
"$bin" evidence queries "$dir/infra" --days 14 --output "$dir/q/queries.json" 2>/dev/null
echo "queries: $(ls "$dir/q" | wc -l) files, $(cat "$dir"/q/*.json | grep -c '"Id"') queries"
python3 benches/fake_cloudwatch.py "$dir"/q/*.json > "$dir/export.json"
python3 benches/fake_cloudwatch.py "$dir"/q/*.json --compact > "$dir/compact.json"
python3 benches/fake_cloudwatch.py "$dir"/q/*.json --pages 4 > "$dir/paged.json"
{ printf '['; cat "$dir/export.json"; printf ','; cat "$dir/export.json"; printf ']'; } > "$dir/twice.json"
echo "datapoints: $(grep -o '"Timestamps"' "$dir/compact.json" | wc -l | awk '{print $1 * 14 * 24}')"
for f in export compact paged twice; do
  printf '%-8s %6d MB\n' "$f.json" "$(( $(stat -c %s "$dir/$f.json") / 1000000 ))"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

hyperfine --warmup 1 --runs "$runs" --export-json "$dir/hyperfine.json" \
  -n "jq -c ." "jq -c . $dir/export.json >/dev/null" \
  -n "kpulint, no evidence" "$bin $dir/infra --format json -o /dev/null --fail-on never" \
  -n "kpulint --evidence export.json" "$bin $dir/infra --format json -o /dev/null --fail-on never --evidence $dir/export.json"
python3 - "$dir/hyperfine.json" "$(stat -c %s "$dir/export.json")" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
size = int(sys.argv[2]) / 1e6
jq = r["jq -c ."]["median"]
base = r["kpulint, no evidence"]["median"]
ev = r["kpulint --evidence export.json"]["median"]
print(f"jq -c .: {jq:.2f} s = {size / jq:.0f} MB/s")
print(f"kpulint: {ev:.2f} s with the evidence, {base:.2f} s without: reading {ev - base:.2f} s = {size / (ev - base):.0f} MB/s "
      f"({size / ev:.0f} MB/s counting the whole run); {jq / (ev - base):.2f}x jq's throughput")
PY
for f in export compact paged twice; do
  rss=$(/usr/bin/time -f %M "$bin" "$dir/infra" --format json -o /dev/null --fail-on never --evidence "$dir/$f.json" 2>&1 >/dev/null | tail -1)
  echo "peak RSS with $f.json: $(( rss / 1024 )) MiB"
done
rss=$(/usr/bin/time -f %M "$bin" "$dir/infra" --format json -o /dev/null --fail-on never 2>&1 >/dev/null | tail -1)
echo "peak RSS without evidence: $(( rss / 1024 )) MiB"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
