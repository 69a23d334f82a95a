#!/usr/bin/env bash
# Packs one release archive: OUT_DIR/kpulint-VERSION-TARGET.tar.gz (.zip for Windows targets)
# holding the directory kpulint-VERSION-TARGET/ with the binary, README.md, LICENSE and
# CHANGELOG.md. scripts/install.sh, the GitHub Action and `cargo binstall` (Cargo.toml's
# [package.metadata.binstall]) expect exactly this name and layout. With GNU tar and
# SOURCE_DATE_EPOCH set, the same binary gives the same .tar.gz, byte for byte.
#
# usage: scripts/package-release.sh VERSION TARGET OUT_DIR [BINARY]
#        (BINARY defaults to target/TARGET/release/kpulint, .exe on Windows)
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
    echo "usage: $0 VERSION TARGET OUT_DIR [BINARY]" >&2
    exit 2
fi
version=${1#v}
target=$2
out=$3
root=$(cd "$(dirname "$0")/.." && pwd)
exe=kpulint
case "$target" in *windows*) exe=kpulint.exe ;; esac
binary=${4:-$root/target/$target/release/$exe}
[ -f "$binary" ] || { echo "$0: no binary at $binary" >&2; exit 1; }

name="kpulint-$version-$target"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/$name" "$out"
out=$(cd "$out" && pwd)
cp "$binary" "$work/$name/$exe"
chmod 755 "$work/$name/$exe"
cp "$root/README.md" "$root/LICENSE" "$root/CHANGELOG.md" "$work/$name/"

cd "$work"
case "$target" in
    *windows*)
        rm -f "$out/$name.zip"
        if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
            find "$name" -exec touch -d "@$SOURCE_DATE_EPOCH" {} + 2> /dev/null || true
        fi
        if command -v zip > /dev/null 2>&1; then
            find "$name" | LC_ALL=C sort | zip -q -X -@ "$out/$name.zip"
        elif command -v 7z > /dev/null 2>&1; then
            7z a -tzip -bd "$out/$name.zip" "$name" > /dev/null
        else
            powershell -NoProfile -Command "Compress-Archive -Path '$name' -DestinationPath '$out/$name.zip'"
        fi
        echo "$out/$name.zip"
        ;;
    *)
        if tar --version 2> /dev/null | grep -q 'GNU tar'; then
            tar --sort=name --owner=0 --group=0 --numeric-owner \
                ${SOURCE_DATE_EPOCH:+--mtime="@$SOURCE_DATE_EPOCH"} -cf "$name.tar" "$name"
        else
            tar -cf "$name.tar" "$name"
        fi
        gzip -n -9 < "$name.tar" > "$out/$name.tar.gz"
        echo "$out/$name.tar.gz"
        ;;
esac
