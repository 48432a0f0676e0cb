#!/usr/bin/env bash
# Fetches mature open-source code for the corpus measurement (README,
# "Quality"): every line of these projects is treated as added and the
# checklist's error-severity findings per 10,000 lines are counted.
#
#   bash benches/corpus/fetch.sh [DIR]      # default: target/corpus
#   cargo bench -p prwarden-analyze --bench corpus
#
# Sources are package registries this machine reaches (npm, PyPI, Debian,
# the local cargo registry); nothing is committed. Versions are pinned so
# that the numbers in the README can be reproduced.
set -euo pipefail
DIR="${1:-target/corpus}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# apt-get download drops to the _apt user, which must be able to write here.
chmod 755 "$TMP"

fresh() { rm -rf "$DIR/$1"; mkdir -p "$DIR/$1"; }

# JavaScript: express, koa, fastify, axios (their runtime code).
for spec in express@5.1.0:lib koa@3.0.1:lib fastify@5.4.0:lib axios@1.11.0:lib; do
  pkg="${spec%%@*}"; rest="${spec#*@}"; version="${rest%%:*}"; sub="${rest#*:}"
  fresh "js/$pkg"
  (cd "$TMP" && npm pack --silent "$pkg@$version" >/dev/null)
  tar xzf "$TMP/$pkg-$version.tgz" -C "$DIR/js/$pkg" --strip-components=1
  if [ "$pkg" = fastify ]; then
    # fastify keeps its entry point at the top level, next to lib/.
    find "$DIR/js/$pkg" -maxdepth 1 -name '*.js' -exec mv {} "$DIR/js/$pkg/$sub/" \;
  fi
  find "$DIR/js/$pkg" -mindepth 1 -maxdepth 1 ! -name "$sub" -exec rm -rf {} +
done

# TypeScript: rxjs and zod sources.
for spec in rxjs@7.8.2 zod@3.25.76; do
  pkg="${spec%%@*}"; version="${spec#*@}"
  fresh "ts/$pkg"
  (cd "$TMP" && npm pack --silent "$pkg@$version" >/dev/null)
  tar xzf "$TMP/$pkg-$version.tgz" -C "$DIR/ts/$pkg" --strip-components=1
  find "$DIR/ts/$pkg" -mindepth 1 -maxdepth 1 ! -name src -exec rm -rf {} +
  find "$DIR/ts/$pkg" -name '*.d.ts' -delete
done

# Python: requests, flask, click (sdists).
for spec in requests==2.32.4 flask==3.1.1 click==8.2.1; do
  pkg="${spec%%==*}"
  fresh "python/$pkg"
  pip download --quiet --no-deps --no-binary :all: --dest "$TMP/py-$pkg" "$spec"
  tar xzf "$TMP/py-$pkg"/*.tar.gz -C "$DIR/python/$pkg" --strip-components=1
  find "$DIR/python/$pkg" -mindepth 1 -maxdepth 1 ! -name src ! -name "$pkg" -exec rm -rf {} +
done

# Go: cobra, gin, logrus (Debian's source packages of the Go modules).
for deb in golang-github-spf13-cobra-dev golang-github-gin-gonic-gin-dev golang-github-sirupsen-logrus-dev; do
  name="${deb#golang-github-}"; name="${name%-dev}"
  fresh "go/$name"
  (cd "$TMP" && apt-get download -qq "$deb" >/dev/null)
  dpkg -x "$TMP"/"$deb"_*.deb "$TMP/x-$name"
  cp -r "$TMP/x-$name/usr/share/gocode/src/." "$DIR/go/$name/"
done

# Rust: serde, tokio, regex from the local cargo registry (dependencies of
# this workspace, so `cargo fetch` has them).
cargo fetch --quiet
for crate in serde-1.0.229 tokio-1.54.1 regex-1.13.2; do
  src="$(ls -d "$HOME"/.cargo/registry/src/*/"$crate" | head -1)"
  fresh "rust/${crate%-*}"
  cp -r "$src/src" "$DIR/rust/${crate%-*}/"
done

# Java: java.util, java.time and java.net of the JDK's own sources.
fresh java/jdk
(cd "$TMP" && apt-get download -qq openjdk-17-source >/dev/null)
dpkg -x "$TMP"/openjdk-17-source_*.deb "$TMP/jdk"
unzip -q "$(find "$TMP/jdk" -name src.zip | head -1)" \
  'java.base/java/util/*' 'java.base/java/time/*' 'java.base/java/net/*' -d "$DIR/java/jdk"

echo "corpus in $DIR:"
for lang in js ts python go rust java; do
  printf '  %-7s %s\n' "$lang" "$(ls "$DIR/$lang" | tr '\n' ' ')"
done
