#!/usr/bin/env bash
# Installs kpulint from a release archive, verified against the release's SHA256SUMS, or builds a
# commit with `cargo install --locked`. The GitHub Action (action.yml) runs it; it works by hand:
#
#   scripts/install.sh 0.1.0 ~/.local/bin          # release 0.1.0 (or v0.1.0) into ~/.local/bin
#   scripts/install.sh 1a2b3c4 ~/.local/bin        # a commit: cargo install --locked --rev
#   scripts/install.sh main ~/.local/bin           # a branch: its current commit, as above
#   scripts/install.sh --describe 0.1.0            # what would be installed (GITHUB_OUTPUT lines)
#
# A release is kpulint-VERSION-TARGET.tar.gz (.zip on Windows), TARGET the Rust target triple of
# this machine (static musl on Linux), checked against the SHA256SUMS file next to it: a missing
# entry or a different hash installs nothing and exits 1. The binary is copied to DEST_DIR and
# its path printed on standard output.
#
# Environment:
#   KPULINT_DOWNLOAD_URL  where releases are: BASE/vVERSION/FILE (default
#                         https://github.com/kpulint/kpulint/releases/download); an https://
#                         or file:// URL, or a local directory
#   KPULINT_GIT_URL       repository that commits and branches are built from (default
#                         https://github.com/kpulint/kpulint)
#   KPULINT_TARGET        target triple to install instead of this machine's
#   CARGO                 cargo to build commits with (default: cargo)
#
# Exit codes: 0 installed, 1 download, verification or build failed, 2 usage.
set -euo pipefail

die() {
    echo "kpulint install: $1" >&2
    exit "${2:-1}"
}

usage() {
    die "usage: $0 [--describe] VERSION|COMMIT|BRANCH [DEST_DIR]" 2
}

base_url=${KPULINT_DOWNLOAD_URL:-https://github.com/kpulint/kpulint/releases/download}
git_url=${KPULINT_GIT_URL:-https://github.com/kpulint/kpulint}

# The Rust target triple of the release archive for this machine.
detect_target() {
    if [ -n "${KPULINT_TARGET:-}" ]; then
        echo "$KPULINT_TARGET"
        return
    fi
    local os arch
    os=$(uname -s)
    arch=$(uname -m)
    case "$arch" in
        x86_64 | amd64) arch=x86_64 ;;
        aarch64 | arm64) arch=aarch64 ;;
        *) die "no release binary for the $arch architecture; build it: cargo install --locked kpulint" ;;
    esac
    case "$os" in
        Linux) echo "$arch-unknown-linux-musl" ;;
        Darwin) echo "$arch-apple-darwin" ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT)
            # Windows on Arm runs the x86_64 binary under emulation.
            echo "x86_64-pc-windows-msvc"
            ;;
        *) die "no release binary for $os; build it: cargo install --locked kpulint" ;;
    esac
}

# release VERSION | commit SHA | branch NAME
classify() {
    local ref=$1
    if printf '%s' "$ref" | grep -Eq '^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$'; then
        echo "release ${ref#v}"
    elif printf '%s' "$ref" | grep -Eq '^[0-9a-fA-F]{7,40}$'; then
        echo "commit $ref"
    elif printf '%s' "$ref" | grep -Eq '^[A-Za-z0-9._/-]+$' && ! printf '%s' "$ref" | grep -q '\.\.'; then
        echo "branch $ref"
    else
        die "'$ref' is neither a release version (0.1.0), a commit nor a branch name" 2
    fi
}

# The commit a branch of the repository points at now, so it is built and cached by commit.
branch_commit() {
    local sha
    sha=$(git ls-remote "$git_url" "refs/heads/$1" | cut -f1)
    [ -n "$sha" ] || die "no branch '$1' in $git_url"
    echo "$sha"
}

sha256_of() {
    if command -v sha256sum > /dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum > /dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d' ' -f1
    elif command -v openssl > /dev/null 2>&1; then
        openssl dgst -sha256 -r "$1" | cut -d' ' -f1
    else
        die "no sha256sum, shasum or openssl to verify the download with"
    fi
}

# fetch URL FILE: https:// with curl or wget; file:// and plain paths are copied.
fetch() {
    local url=$1 out=$2
    case "$url" in
        https://*)
            if command -v curl > /dev/null 2>&1; then
                curl --proto '=https' --tlsv1.2 -fsSL --retry 3 -o "$out" "$url" || die "could not download $url"
            elif command -v wget > /dev/null 2>&1; then
                wget -q -O "$out" "$url" || die "could not download $url"
            else
                die "neither curl nor wget is installed"
            fi
            ;;
        file://*) cp "${url#file://}" "$out" 2> /dev/null || die "could not read ${url#file://}" ;;
        *://*) die "only https:// and file:// downloads are supported, not $url" ;;
        *) cp "$url" "$out" 2> /dev/null || die "could not read $url" ;;
    esac
}

unpack() {
    local archive=$1 into=$2
    case "$archive" in
        *.tar.gz) tar -xzf "$archive" -C "$into" ;;
        *.zip)
            if command -v unzip > /dev/null 2>&1; then
                unzip -q "$archive" -d "$into"
            elif command -v 7z > /dev/null 2>&1; then
                7z x -y -bd -o"$into" "$archive" > /dev/null
            else
                powershell -NoProfile -Command "Expand-Archive -LiteralPath '$archive' -DestinationPath '$into'"
            fi
            ;;
    esac
}

install_release() {
    local version=$1 dest=$2 target archive exe work expected actual
    target=$(detect_target)
    exe=kpulint
    archive="kpulint-$version-$target.tar.gz"
    case "$target" in
        *windows*)
            exe=kpulint.exe
            archive="kpulint-$version-$target.zip"
            ;;
    esac
    work=$(mktemp -d)
    # shellcheck disable=SC2064 # expand now: `work` is local
    trap "rm -rf '$work'" EXIT
    echo "kpulint install: $archive from $base_url/v$version" >&2
    fetch "$base_url/v$version/SHA256SUMS" "$work/SHA256SUMS"
    fetch "$base_url/v$version/$archive" "$work/$archive"

    # `HASH  NAME` (or `HASH *NAME`, binary mode): exactly one line for the archive.
    expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$work/SHA256SUMS")
    [ -n "$expected" ] || die "SHA256SUMS has no entry for $archive; not installed"
    [ "$(printf '%s\n' "$expected" | wc -l)" -eq 1 ] || die "SHA256SUMS has several entries for $archive; not installed"
    actual=$(sha256_of "$work/$archive")
    expected=$(printf '%s' "$expected" | tr 'A-F' 'a-f')
    if [ "$actual" != "$expected" ]; then
        die "checksum mismatch for $archive: SHA256SUMS says $expected, the download is $actual; not installed"
    fi

    mkdir -p "$work/unpacked"
    unpack "$work/$archive" "$work/unpacked" || die "could not unpack $archive"
    local binary="$work/unpacked/kpulint-$version-$target/$exe"
    [ -f "$binary" ] || die "$archive holds no kpulint-$version-$target/$exe"
    mkdir -p "$dest"
    cp "$binary" "$dest/$exe"
    chmod 755 "$dest/$exe"
    echo "$dest/$exe"
}

install_commit() {
    local sha=$1 dest=$2 work
    work=$(mktemp -d)
    # shellcheck disable=SC2064 # expand now: `work` is local
    trap "rm -rf '$work'" EXIT
    echo "kpulint install: building commit $sha of $git_url with cargo install --locked" >&2
    "${CARGO:-cargo}" install --locked --git "$git_url" --rev "$sha" --root "$work" kpulint >&2 \
        || die "cargo install --locked --git $git_url --rev $sha failed"
    local exe=kpulint
    [ -f "$work/bin/kpulint.exe" ] && exe=kpulint.exe
    [ -f "$work/bin/$exe" ] || die "cargo install left no $work/bin/$exe"
    mkdir -p "$dest"
    cp "$work/bin/$exe" "$dest/$exe"
    chmod 755 "$dest/$exe"
    echo "$dest/$exe"
}

describe=false
if [ "${1:-}" = "--describe" ]; then
    describe=true
    shift
fi
if [ $# -lt 1 ] || [ -z "$1" ]; then usage; fi
described=$(classify "$1")
read -r kind version <<< "$described"
if [ "$kind" = branch ]; then
    kind=commit
    version=$(branch_commit "$version")
fi

if $describe; then
    # GITHUB_OUTPUT lines for the action: what it installs, for which machine (the cache key).
    if [ "$kind" = release ]; then
        target=$(detect_target)
    else
        target="$(uname -m)-$(uname -s)"
    fi
    echo "kind=$kind"
    echo "version=$version"
    echo "target=$target"
    exit 0
fi

[ $# -eq 2 ] || usage
case "$kind" in
    release) install_release "$version" "$2" ;;
    commit) install_commit "$version" "$2" ;;
esac
