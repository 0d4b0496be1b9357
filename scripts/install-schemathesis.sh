#!/usr/bin/env bash
# The OpenAPI fuzzer of api's OpenApiFuzzIT (issue 9): schemathesis from PyPI, pinned, in a virtual
# environment of its own (nothing installed into the system Python). Idempotent; prints the path of
# its `st` command on stdout, progress and errors on stderr. Exit 1 when it cannot be installed
# (no python3 with venv, no PyPI): the test then skips outside CI and fails in CI.
# The folder: $ZKML_TOOLS_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/zkml.
set -euo pipefail
VERSION=4.32.5
DIR="${ZKML_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zkml}/schemathesis-$VERSION"
if ! "$DIR/bin/st" --version 2>/dev/null | grep -q "version $VERSION\$"; then
  command -v python3 >/dev/null || { echo "install-schemathesis: python3 is not on the PATH" >&2; exit 1; }
  echo "install-schemathesis: installing schemathesis==$VERSION into $DIR" >&2
  rm -rf "$DIR"
  mkdir -p "$(dirname "$DIR")"
  if ! { python3 -m venv "$DIR" >&2 && "$DIR/bin/pip" install -q --disable-pip-version-check "schemathesis==$VERSION" >&2; }; then
    rm -rf "$DIR"
    echo "install-schemathesis: could not install schemathesis==$VERSION from PyPI (python3 -m venv, pip)" >&2
    exit 1
  fi
fi
echo "$DIR/bin/st"
