#!/usr/bin/env bash
# Tests a kpulint wheel the way a user installs it (the release workflow runs this on Linux,
# macOS and Windows; by hand after `maturin build --release --out WHEEL_DIR`):
#   1. a fresh virtualenv, `pip install kpulint==VERSION` from WHEEL_DIR only (no index)
#   2. `kpulint --version` names VERSION (and the commit $KPULINT_COMMIT, when set)
#   3. examples/state-heavy exits 1 with KPU004, examples/clean exits 0
#   4. the pre-commit hook `kpulint` through the mirror (scripts/pre-commit-mirror.sh), with
#      `pre-commit try-repo` in a scratch repository holding examples/state-heavy: pip installs
#      the wheel (PIP_FIND_LINKS=WHEEL_DIR), the hook fails on KPU004; skipped with a message
#      when pre-commit is not installed
# The install times of steps 1 and 4 are printed (README.md, "Install", records them).
#
# usage: scripts/check-wheel.sh WHEEL_DIR VERSION
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 WHEEL_DIR VERSION" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
wheels=$(cd "$1" && pwd)
version=${2#v}
python=$(command -v python3 || command -v python)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
    echo "check-wheel: FAILED: $1" >&2
    exit 1
}
now() { "$python" -c 'import time; print(time.time())'; }
since() { "$python" -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.1f} s')" "$1"; }

echo "== 1. pip install kpulint==$version into a fresh virtualenv (from $wheels only)"
start=$(now)
"$python" -m venv "$work/venv"
bin="$work/venv/bin"
[ -d "$bin" ] || bin="$work/venv/Scripts"
"$bin/python" -m pip install --quiet --no-index --find-links "$wheels" "kpulint==$version"
echo "installed in $(since "$start") (virtualenv included)"
kpulint="$bin/kpulint"

echo "== 2. kpulint --version"
shown=$("$kpulint" --version)
echo "$shown"
case "$shown" in
    "kpulint $version"*) ;;
    *) fail "--version says '$shown', not kpulint $version" ;;
esac
if [ -n "${KPULINT_COMMIT:-}" ] && [[ "$shown" != *"commit $KPULINT_COMMIT"* ]]; then
    fail "--version does not name the commit $KPULINT_COMMIT"
fi

echo "== 3. kpulint on examples/"
status=0
out=$("$kpulint" "$root/examples/state-heavy" --format compact --color never) || status=$?
[ "$status" -eq 1 ] || fail "examples/state-heavy exited $status, not 1"
[[ "$out" == *"warning[KPU004]"* ]] || fail "examples/state-heavy reported no KPU004: $out"
"$kpulint" "$root/examples/clean" --format compact > /dev/null || fail "examples/clean did not exit 0"
echo "state-heavy: exit 1 with KPU004; clean: exit 0"

echo "== 4. pre-commit try-repo (the kpulint-pre-commit mirror) in a scratch repository"
if ! command -v pre-commit > /dev/null 2>&1; then
    echo "SKIPPED: pre-commit is not installed (pip install pre-commit)"
    exit 0
fi
"$root/scripts/pre-commit-mirror.sh" "$version" "$work/mirror" > /dev/null
git -C "$work/mirror" init -q
git -C "$work/mirror" add -A
git -C "$work/mirror" -c user.name=check -c user.email=check@localhost commit -q -m mirror
mkdir "$work/scratch"
cp -R "$root/examples/state-heavy/." "$work/scratch/"
git -C "$work/scratch" init -q
git -C "$work/scratch" add -A
git -C "$work/scratch" -c user.name=check -c user.email=check@localhost commit -q -m scratch
start=$(now)
status=0
(cd "$work/scratch" && PRE_COMMIT_HOME="$work/pre-commit-home" PIP_FIND_LINKS="$wheels" \
    pre-commit try-repo "$work/mirror" kpulint --all-files --color never) > "$work/hook.log" 2>&1 || status=$?
cat "$work/hook.log"
[ "$status" -eq 1 ] || fail "the hook exited $status, not 1"
grep -q 'warning\[KPU004\]' "$work/hook.log" || fail "the hook reported no KPU004"
echo "hook installed and ran in $(since "$start") (first run: virtualenv, pip install of the mirror and the wheel)"
