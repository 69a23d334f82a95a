#!/usr/bin/env bash
# The GitHub Action's run step (action.yml): runs kpulint with the action's `args` in the
# current directory (the action's `working-directory`), writes the outputs `exit-code` and
# `report` to $GITHUB_OUTPUT and exits with kpulint's exit code.
#
# KPULINT_ARGS is split into words as a shell would split it, quotes and backslashes honoured,
# but nothing in it is expanded or run: `--var 'env=prod eu'` is one argument, `$(…)` is text.
# `report` is the file named by the last --output/-o, when kpulint wrote it: relative to the
# workspace (as upload-sarif and upload-artifact want it) when inside it, absolute otherwise.
#
# Environment: KPULINT_ARGS, KPULINT_BIN (default: kpulint on PATH), GITHUB_OUTPUT,
# GITHUB_WORKSPACE.
set -euo pipefail

bin=${KPULINT_BIN:-kpulint}
args=()
if [ -n "${KPULINT_ARGS//[[:space:]]/}" ]; then
    # xargs parses quotes without expanding anything; NUL-separated so any word survives.
    parsed=$(mktemp)
    trap 'rm -f "$parsed"' EXIT
    if ! printf '%s' "$KPULINT_ARGS" | xargs printf '%s\0' > "$parsed"; then
        echo "kpulint action: cannot split args (unbalanced quotes?): $KPULINT_ARGS" >&2
        exit 2
    fi
    while IFS= read -r -d '' word; do
        args+=("$word")
    done < "$parsed"
fi

report=""
expect_report=false
for word in ${args[@]+"${args[@]}"}; do
    if $expect_report; then
        report=$word
        expect_report=false
        continue
    fi
    case "$word" in
        --output | -o) expect_report=true ;;
        --output=*) report=${word#--output=} ;;
        -o=*) report=${word#-o=} ;;
        -o?*) report=${word#-o} ;;
    esac
done

{
    printf '+ kpulint'
    printf ' %q' ${args[@]+"${args[@]}"}
    echo
} >&2
status=0
"$bin" ${args[@]+"${args[@]}"} || status=$?

written=""
if [ -n "$report" ] && [ "$report" != "-" ] && [ -f "$report" ]; then
    case "$report" in
        /* | [A-Za-z]:[\\/]*) written=$report ;;
        *) written="$PWD/$report" ;;
    esac
    workspace=${GITHUB_WORKSPACE:-}
    if [ -n "$workspace" ]; then
        workspace=$(cd "$workspace" && pwd)
        case "$written" in
            "$workspace"/*) written=${written#"$workspace"/} ;;
        esac
    fi
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
        echo "exit-code=$status"
        echo "report=$written"
    } >> "$GITHUB_OUTPUT"
fi
exit "$status"
