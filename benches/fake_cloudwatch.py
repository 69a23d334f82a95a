#!/usr/bin/env python3
"""A stand-in for `aws cloudwatch get-metric-data --cli-input-json file://QUERIES`: answers the
queries `kpulint evidence queries` wrote with deterministic data, printed as the AWS CLI prints
it (standard-library Python only).

    fake_cloudwatch.py QUERIES.json... [--profile PROFILE.json] [--pages N] [--cli v1|v2] [--compact]

- Every query gets one datapoint per Period from StartTime to EndTime, with its Id and Label
  echoed (as CloudWatch does). KPUs, containerCPUUtilization, ... get values of their kind; a
  PROFILE maps an application name to {"kpus": 15, "cpu": 19.0, "disk": 10.0,
  "checkpoint_gb": 4.2, "memory": 41.5}; applications without one get values derived from their
  name.
- `--pages N` splits each series into N pages and prints them concatenated, as the CLI's
  auto-pagination does: every Id once per page, `PartialData` on all but the last.
- `--cli v2` (default) prints ISO 8601 timestamps (`2026-11-18T00:00:00+00:00`) with
  json.dumps(indent=4), as AWS CLI v2 does; `--cli v1` prints epoch seconds (CLI v1's `wire`
  format over CloudWatch's JSON protocol). `--compact` prints one line.
- Several QUERIES files (`kpulint evidence queries` splits at 500 queries) are answered in one
  document, their results one after the other, as if the calls' outputs were concatenated.
- The output is written to standard output, streamed (a 500-application export does not need
  to fit in memory).
"""

import argparse
import datetime
import hashlib
import json
import math
import sys


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def base(app):
    """Values for an application without a profile, derived from its name."""
    h = int(hashlib.sha256(app.encode()).hexdigest()[:8], 16)
    kpus = 2 + h % 30
    return {
        "kpus": kpus + 1,
        "cpu": 10.0 + (h >> 5) % 60,
        "disk": 5.0 + (h >> 11) % 70,
        "checkpoint_gb": round(0.5 + ((h >> 17) % 400) / 10, 1),
        "memory": 30.0 + (h >> 23) % 40,
    }


def values(metric, profile, hour):
    """The value of `metric` in the `hour`th hour of the window."""
    daily = math.sin(2 * math.pi * hour / 24)
    if metric == "KPUs":
        return float(profile["kpus"])
    if metric == "containerCPUUtilization":
        return round(profile["cpu"] * (0.55 + 0.45 * daily), 2)
    if metric == "containerMemoryUtilization":
        return float(profile.get("memory", 40.0))
    if metric == "containerDiskUtilization":
        return round(profile["disk"] - 2 + (hour % 24) / 12, 2)
    if metric == "lastCheckpointSize":
        return float(int(profile["checkpoint_gb"] * 1e9) - 1000 * (hour % 7))
    return 0.0  # downtime, fullRestarts, numberOfFailedCheckpoints: a healthy job


class Writer:
    """Prints JSON the way json.dumps(indent=4) would, one value at a time."""

    def __init__(self, out, compact):
        self.out = out
        self.compact = compact

    def nl(self, depth):
        if not self.compact:
            self.out.write("\n" + "    " * depth)

    def scalar(self, v):
        self.out.write(json.dumps(v))

    def array(self, items, depth):
        self.out.write("[")
        first = True
        for v in items:
            if not first:
                self.out.write(",")
            first = False
            self.nl(depth + 1)
            self.scalar(v)
        if not first:
            self.nl(depth)
        self.out.write("]")


def write_result(w, sep, q, start, end, page, pages, cli, profiles):
    """One MetricDataResult: page `page` of `pages` of the series `q` asks for."""
    out = w.out
    stat = q["MetricStat"]
    metric = stat["Metric"]["MetricName"]
    app = stat["Metric"]["Dimensions"][0]["Value"]
    period = stat["Period"]
    profile = profiles.get(app) or base(app)
    n = int((end - start).total_seconds() // period)
    lo, hi = n * page // pages, n * (page + 1) // pages
    times = [start + datetime.timedelta(seconds=period * i) for i in range(lo, hi)]
    stamps = [t.isoformat() if cli == "v2" else t.timestamp() for t in times]
    vals = [values(metric, profile, (t - start).total_seconds() // 3600) for t in times]
    w.nl(2)
    out.write("{")
    fields = [
        ("Id", q["Id"]),
        ("Label", q.get("Label", metric)),
        ("Timestamps", stamps),
        ("Values", vals),
        ("StatusCode", "Complete" if page == pages - 1 else "PartialData"),
    ]
    for i, (k, v) in enumerate(fields):
        if i:
            out.write(",")
        w.nl(3)
        out.write(json.dumps(k) + sep)
        if isinstance(v, list):
            w.array(v, 3)
        else:
            w.scalar(v)
    w.nl(2)
    out.write("}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("queries", nargs="+")
    ap.add_argument("--profile")
    ap.add_argument("--pages", type=int, default=1)
    ap.add_argument("--cli", choices=["v1", "v2"], default="v2")
    ap.add_argument("--compact", action="store_true")
    args = ap.parse_args()
    docs = []
    for path in args.queries:
        with open(path, encoding="utf-8") as f:
            docs.append(json.load(f))
    profiles = {}
    if args.profile:
        with open(args.profile, encoding="utf-8") as f:
            profiles = json.load(f)
    out = sys.stdout
    w = Writer(out, args.compact)
    sep = ": " if not args.compact else ":"
    out.write("{")
    w.nl(1)
    out.write('"MetricDataResults"' + sep + "[")
    first = True
    pages = max(1, args.pages)
    for doc in docs:
        start, end = parse_time(doc["StartTime"]), parse_time(doc["EndTime"])
        for page in range(pages):
            for q in doc["MetricDataQueries"]:
                if not first:
                    out.write(",")
                first = False
                write_result(w, sep, q, start, end, page, pages, args.cli, profiles)
    w.nl(1)
    out.write("],")
    w.nl(1)
    out.write('"Messages"' + sep + "[]")
    w.nl(0)
    out.write("}\n")


if __name__ == "__main__":
    main()
