#!/usr/bin/env bash
# How this example's evidence was made, without AWS: the queries are kpulint's own; the
# get-metric-data output comes from benches/fake_cloudwatch.py (a stand-in for CloudWatch that
# prints what AWS CLI v2 prints, auto-paginated into two pages), describe-clicks.json is
# describe-application output as the service model shapes it. With AWS credentials, the real
# commands are in README.md.
set -euo pipefail
cd "$(dirname "$0")"
KPULINT_TODAY=2026-11-26 cargo run -q --locked -- evidence queries . --days 8 --output queries.json
cat > /tmp/kpulint-evidence-profile.json <<'JSON'
{"orders-join": {"kpus": 15, "cpu": 19.0, "disk": 10.0, "checkpoint_gb": 4.2},
 "payments": {"kpus": 13, "cpu": 23.0, "disk": 20.0, "checkpoint_gb": 31.5},
 "clicks": {"kpus": 13, "cpu": 50.0, "disk": 15.0, "checkpoint_gb": 8.0}}
JSON
python3 ../../benches/fake_cloudwatch.py queries.json --profile /tmp/kpulint-evidence-profile.json --pages 2 \
  > cloudwatch/get-metric-data.json
rm /tmp/kpulint-evidence-profile.json
