#!/usr/bin/env bash
# Prints the CHANGELOG.md section of one version (the lines under `## [VERSION]`, up to the next
# `## ` heading or the link definitions at the end), the release notes of the GitHub release.
# Exits 1 when the changelog has no such section or it is empty, so a version is never
# released without its notes.
#
# usage: scripts/changelog-section.sh VERSION [CHANGELOG]    (VERSION: 0.1.0, v0.1.0 or Unreleased)
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 VERSION [CHANGELOG]" >&2
    exit 2
fi
version=${1#v}
changelog=${2:-$(dirname "$0")/../CHANGELOG.md}

section=$(awk -v v="$version" '
    /^## / {
        if (found) exit
        heading = $0
        sub(/^## +\[/, "", heading)
        if (index(heading, v "]") == 1) { found = 1; next }
    }
    found && /^\[[^]]+\]: / { exit }
    found { print }
' "$changelog")
# Blank lines around the section are not part of it.
section=$(printf '%s\n' "$section" | sed -e '/./,$!d')
if [ -z "${section//[[:space:]]/}" ]; then
    echo "$0: $changelog has no '## [$version]' section (or it is empty)" >&2
    exit 1
fi
printf '%s\n' "$section"
