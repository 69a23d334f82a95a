#!/usr/bin/env bash
# Benchmark: kpulint on monorepo-sized trees against the `rg -l` floor (and an older kpulint).
#
#   benches/monorepo.sh [--before BIN] [--after BIN] [--corpus DIR] [--flink DIR] [--sets "SET ..."]
#                       [--rounds N] [--dir DIR] [--keep]
#
# Sets: corpus1, corpus16 (a corpus-like tree, and 16 copies of it), flink50, flink100, flink300,
# flink1000 (copies of a Flink-heavy folder). Trees come from benches/gen_tree.py unless --corpus
# (a directory to use as corpus ×1 and to copy for ×16) or --flink (a folder to copy) is given.
# Every run of every command is timed by hyperfine (wall, user, sys) under /usr/bin/time (peak
# RSS). --after defaults to this tree's release build. Each round runs rg, then the --before binary, then this tree's release build, in one
# hyperfine invocation; rounds repeat that, so a change in machine load hits all commands alike.
# Needs hyperfine and ripgrep (`apt-get install hyperfine ripgrep`).
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)

before="" after="" corpus="" flink="" keep=0 rounds=2 dir=""
sets="corpus1 corpus16 flink50 flink100 flink1000"
while (($#)); do
  case $1 in
    --before) before=$(realpath "$2"); shift 2 ;;
    --after) after=$(realpath "$2"); shift 2 ;;
    --corpus) corpus=$(realpath "$2"); shift 2 ;;
    --flink) flink=$(realpath "$2"); shift 2 ;;
    --sets) sets=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in hyperfine rg /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install hyperfine ripgrep time)" >&2; exit 2; }
done

# Without --after: this tree's release build.
if [[ -z $after ]]; then
  cargo build --release --locked -q
  after="$here/target/release/kpulint"
fi
if [[ -z $dir ]]; then
  dir=$(mktemp -d)
  ((keep)) || trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"

# Builds a set's tree once (kept between runs of the script when --dir is given).
make_set() {
  local set=$1 out="$dir/$1"
  [[ -d $out ]] && return
  case $set in
    corpus1) if [[ -n $corpus ]]; then cp -r "$corpus" "$out"; else python3 benches/gen_tree.py corpus "$out"; fi ;;
    corpus*)
      local n=${set#corpus}
      if [[ -n $corpus ]]; then
        mkdir -p "$out"; for i in $(seq 1 "$n"); do cp -r "$corpus" "$out/copy$i"; done
      else
        python3 benches/gen_tree.py corpus "$out" --copies "$n"
      fi ;;
    flink*) python3 benches/gen_tree.py flink "$out" --copies "${set#flink}" ${flink:+--from "$flink"} ;;
    *) echo "unknown set $set" >&2; exit 2 ;;
  esac
}

echo "machine: $(nproc) cores; load before starting: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| set | files | MB | apps | kpulint wall / CPU (s) | peak RSS (MiB) | \`rg -l\` wall / CPU (s) | kpulint / rg wall |"
echo "|---|---|---|---|---|---|---|---|"
for set in $sets; do
  make_set "$set"
  tree="$dir/$set"
  files=$(find "$tree" -type f \( -name '*.tf' -o -name '*.tf.json' -o -name '*.tfvars' -o -name '*.json' -o -name '*.yaml' -o -name '*.yml' \) | wc -l)
  mb=$(find "$tree" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.1f", s / 1e6}')
  apps=$("$after" "$tree" --format json -q | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["applications"])' || true)
  # Big trees: fewer runs (the slowest old runs take minutes); flink1000 once, in one round.
  runs=5 warmup=1 set_rounds=$rounds
  [[ $set == corpus16 || $set == flink300 ]] && runs=2
  [[ $set == flink1000 ]] && runs=1 warmup=0 set_rounds=1
  cmds=("rg -l --no-ignore aws_kinesisanalyticsv2_application $tree")
  names=(rg)
  if [[ -n $before ]]; then cmds+=("$before $tree --format json -q"); names+=(before); fi
  cmds+=("$after $tree --format json -q"); names+=(after)
  rm -f "$dir"/rss-*
  for r in $(seq 1 "$set_rounds"); do
    args=()
    for i in "${!cmds[@]}"; do
      args+=(-n "${names[$i]}" "/usr/bin/time -a -o $dir/rss-${names[$i]} -f %M ${cmds[$i]}")
    done
    hyperfine -N --warmup "$warmup" --runs "$runs" --ignore-failure --style none \
      --export-json "$dir/$set-$r.json" "${args[@]}" >/dev/null 2>&1
  done
  python3 - "$dir" "$set" "$set_rounds" "$files" "$mb" "$apps" "${names[@]}" <<'PY'
import json, statistics, sys
d, s, rounds, files, mb, apps, *names = sys.argv[1:]
wall, cpu = {n: [] for n in names}, {n: [] for n in names}
for r in range(1, int(rounds) + 1):
    for res in json.load(open(f"{d}/{s}-{r}.json"))["results"]:
        n = res["command"]
        wall[n] += res["times"]
        # hyperfine gives mean user and system time per command and round.
        cpu[n] += [res["user"] + res["system"]] * len(res["times"])
def rss(n):
    vals = [int(l) for l in open(f"{d}/rss-{n}") if l.strip().isdigit()]
    return max(vals) / 1024
med = lambda xs: statistics.median(xs)
kp = [n for n in names if n != "rg"]
cell = lambda f: " → ".join(f(n) for n in kp)
print(f"| {s} | {int(files):,} | {mb} | {apps} | "
      + cell(lambda n: f"{med(wall[n]):.2f} / {med(cpu[n]):.2f}") + " | "
      + cell(lambda n: f"{rss(n):.0f}") + f" | {med(wall['rg']):.2f} / {med(cpu['rg']):.2f} | "
      + cell(lambda n: f"{med(wall[n]) / med(wall['rg']):.1f}×") + " |")
PY
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
