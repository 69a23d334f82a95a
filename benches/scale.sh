#!/usr/bin/env bash
# Benchmark: inputs large in one dimension (issue 17, "bounded cost"), an older kpulint against
# this one. Inputs come from benches/gen_scale.py (deterministic).
#
#   benches/scale.sh [--before BIN] [--after BIN] [--sets "SET ..."] [--runs N] [--dir DIR]
#                    [--timeout SECONDS] [--keep]
#
# Sets (N is a number):
#   foreachN      for_each over a literal map of N entries in `locals`, each.value feeding the
#                 application (every instance has a finding), `check --format json`
#   fixforeachN   the same with `--fix` (the tree is copied afresh before each run)
#   tfvarsN       the map in terraform.tfvars, `check --format json`
#   planN         a one-line plan of N applications, `check --format json` and human output
#   bigplanM      a one-line plan of M MB (1,000 applications among other resources): peak RSS
# A run of --before longer than --timeout (default 300 s) is stopped and reported as "> T s".
# Wall, user + system CPU: medians of --runs runs (hyperfine); peak RSS: the largest of them
# (/usr/bin/time -f %M). Needs hyperfine and GNU time (`apt-get install hyperfine time`).
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)

before="" after="" keep=0 runs=5 dir="" timeout=300
sets="foreach1000 foreach2000 foreach20000 foreach100000 fixforeach20000 tfvars50000 plan10000 bigplan500"
while (($#)); do
  case $1 in
    --before) before=$(realpath "$2"); shift 2 ;;
    --after) after=$(realpath "$2"); shift 2 ;;
    --sets) sets=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in hyperfine /usr/bin/time python3 timeout; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install hyperfine time)" >&2; exit 2; }
done
if [[ -z $after ]]; then
  cargo build --release --locked -q
  after="$here/target/release/kpulint"
fi
if [[ -z $dir ]]; then
  dir=$(mktemp -d)
  ((keep)) || trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"

# The input of a set, generated once (kept between runs of the script when --dir is given).
input() {
  local set=$1 n
  n=${set//[!0-9]/}
  case $set in
    foreach*|fixforeach*) [[ -d $dir/foreach$n ]] || python3 benches/gen_scale.py foreach "$dir/foreach$n" --entries "$n"; echo "$dir/foreach$n" ;;
    tfvars*) [[ -d $dir/$set ]] || python3 benches/gen_scale.py tfvars "$dir/$set" --entries "$n"; echo "$dir/$set" ;;
    plan*) [[ -f $dir/$set/plan.json ]] || python3 benches/gen_scale.py plan "$dir/$set/plan.json" --apps "$n"; echo "$dir/$set/plan.json" ;;
    bigplan*) [[ -f $dir/$set/plan.json ]] || python3 benches/gen_scale.py plan "$dir/$set/plan.json" --apps 1000 --other-mb "$n"; echo "$dir/$set/plan.json" ;;
    *) echo "unknown set $set" >&2; exit 2 ;;
  esac
}

# Times `bin` on a set: "wall / cpu | rss" (medians; largest RSS), or "> T s" when stopped.
measure() {
  local name=$1 bin=$2 set=$3 path=$4 limit=$5 cmd prepare=()
  local args="--format json"
  [[ $set == bigplan* ]] && args="--format json --max-file-size 1GB"
  case $set in
    # A fresh copy before each run (hyperfine -N runs commands without a shell).
    fixforeach*) cmd="$bin $dir/work --fix $args"; prepare=(--prepare "cp -rT $path $dir/work") ;;
    *) cmd="$bin $path $args" ;;
  esac
  # kpulint versions before --max-file-size read any size.
  if [[ $set == bigplan* ]] && ! "$bin" --help | grep -q -- --max-file-size; then
    cmd=${cmd/ --max-file-size 1GB/}
  fi
  rm -f "$dir/rss-$name"
  if ! hyperfine -N --runs "$limit" --ignore-failure --style none "${prepare[@]}" \
    --export-json "$dir/$set-$name.json" \
    "/usr/bin/time -a -o $dir/rss-$name -f %M timeout $timeout $cmd" >/dev/null 2>&1 \
    || grep -q "Command terminated by signal\|Command exited with non-zero status 124" "$dir/rss-$name" 2>/dev/null; then
    echo "> $timeout s (stopped) | —"
    return
  fi
  python3 - "$dir/$set-$name.json" "$dir/rss-$name" <<'PY'
import json, statistics, sys
res = json.load(open(sys.argv[1]))["results"][0]
rss = max(int(l) for l in open(sys.argv[2]) if l.strip().isdigit()) / 1024
print(f"{statistics.median(res['times']):.2f} / {res['user'] + res['system']:.2f} | {rss:.0f}")
PY
}

echo "machine: $(nproc) cores, shared; load before starting: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| set | input | before: wall / CPU (s) | peak RSS (MiB) | after: wall / CPU (s) | peak RSS (MiB) |"
echo "|---|---|---|---|---|---|"
for set in $sets; do
  path=$(input "$set")
  size=$(du -sb "$path" | awk '{ if ($1 < 1e6) printf "%.0f KB", $1 / 1e3; else printf "%.1f MB", $1 / 1e6 }')
  old="— | —"
  if [[ -n $before ]]; then
    # A slow old run is not repeated.
    old=$(measure before "$before" "$set" "$path" 1)
    if [[ $old != ">"* ]] && python3 -c "import sys; sys.exit(float('${old%% /*}') > 30)"; then
      old=$(measure before "$before" "$set" "$path" "$runs")
    fi
  fi
  new=$(measure after "$after" "$set" "$path" "$runs")
  echo "| $set | $size | $old | $new |"
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
