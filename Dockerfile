# syntax=docker/dockerfile:1
# kpulint as a container image: the static (musl) binary on Alpine, run as a non-root user.
#
#   docker build -t kpulint .
#   docker run --rm -v "$PWD:/src" kpulint .                  # lint the current directory
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/src" kpulint . --format sarif -o kpulint.sarif
#
# The release workflow publishes it as ghcr.io/kpulint/kpulint:VERSION (linux/amd64, linux/arm64)
# and passes KPULINT_COMMIT and KPULINT_COMMIT_DATE (for `kpulint --version`), since .git is
# not part of the build context (.dockerignore).

ARG RUST_VERSION=1.88
ARG ALPINE_VERSION=3.22

FROM rust:${RUST_VERSION}-alpine${ALPINE_VERSION} AS build
# On Alpine the host target is *-unknown-linux-musl and links statically by default.
RUN apk add --no-cache musl-dev
WORKDIR /build
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY rules ./rules
ARG KPULINT_COMMIT=
ARG KPULINT_COMMIT_DATE=
# The check after the build: a static binary names no dynamic loader (/lib/ld-musl-*.so.1).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/build/target \
    KPULINT_COMMIT="${KPULINT_COMMIT}" KPULINT_COMMIT_DATE="${KPULINT_COMMIT_DATE}" \
    CARGO_PROFILE_RELEASE_STRIP=symbols \
        cargo build --release --locked --bin kpulint \
    && cp target/release/kpulint /usr/local/bin/kpulint \
    && ! grep -q /lib/ld-musl /usr/local/bin/kpulint \
    && /usr/local/bin/kpulint --version

FROM alpine:${ALPINE_VERSION}
# git: `kpulint diff --base REF` reads the base commit with git. The mounted repository belongs to
# another user than the container's, which git refuses unless it is a safe.directory.
RUN apk add --no-cache git \
    && git config --system --add safe.directory '*' \
    && adduser -D -u 10001 -h /home/kpulint kpulint
COPY --from=build /usr/local/bin/kpulint /usr/local/bin/kpulint
USER 10001:10001
WORKDIR /src
ENTRYPOINT ["kpulint"]
CMD ["."]
