#!/usr/bin/env bash
# How the examples' evidence was made, without AWS: the queries are kpulint's own
# (`kpulint evidence queries`); the get-metric-data output comes from
# benches/fake_cloudwatch.py, a stand-in for CloudWatch that prints what AWS CLI v2 prints;
# the describe-*.json files are describe-application output as the service model shapes it.
# With AWS credentials, the real commands are in README.md ("Evidence").
set -euo pipefail
cd "$(dirname "$0")"
kpulint() { KPULINT_TODAY=2026-11-26 cargo run -q --locked -- "$@"; }
fake() { python3 ../benches/fake_cloudwatch.py "$@"; }
profile=$(mktemp)
trap 'rm -f "$profile" /tmp/kpulint-q-$$.json' EXIT

# examples/evidence: three applications, eight days, auto-paginated into two pages.
kpulint evidence queries evidence --days 8 --output evidence/queries.json
cat > "$profile" <<'JSON'
{"orders-join": {"kpus": 15, "cpu": 19.0, "disk": 10.0, "checkpoint_gb": 4.2},
 "payments": {"kpus": 13, "cpu": 23.0, "disk": 20.0, "checkpoint_gb": 31.5},
 "clicks": {"kpus": 13, "cpu": 50.0, "disk": 15.0, "checkpoint_gb": 8.0},
 "ledger": {"kpus": 13, "cpu": 23.0, "disk": 20.0, "checkpoint_gb": 31.5},
 "sessions": {"kpus": 7, "cpu": 35.0, "disk": 30.0, "checkpoint_gb": 6.0}}
JSON
fake evidence/queries.json --profile "$profile" --pages 2 > evidence/cloudwatch/get-metric-data.json

# KPU013: one application, eight days.
kpulint evidence queries kpu013-declaration-disagrees-with-measurement --days 8 --output /tmp/kpulint-q-$$.json
fake /tmp/kpulint-q-$$.json --profile "$profile" > kpu013-declaration-disagrees-with-measurement/evidence/get-metric-data.json

# KPU015: two days only.
kpulint evidence queries kpu015-stale-evidence --days 2 --output /tmp/kpulint-q-$$.json
fake /tmp/kpulint-q-$$.json --profile "$profile" > kpu015-stale-evidence/evidence/get-metric-data.json
