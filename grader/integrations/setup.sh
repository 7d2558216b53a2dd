#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image (see
# docs/integrations.md): it installs the bundled grader wheel and its dependencies
# into a virtual environment with pip. Nothing else is fetched, except Debian's or
# Ubuntu's python3-venv when the image's python3 cannot create a virtual environment.
set -euo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${GRADER_SETUP_PYTHON:-python3}"
if ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
"$PYTHON" -m venv "$SOURCE/venv"
"$SOURCE/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$SOURCE"/grader-*.whl
# the grading runs as an unprivileged user (run_autograder): it must read all of this
chmod -R a+rX "$SOURCE"
chmod +x "$SOURCE/run_autograder"
"$SOURCE/venv/bin/grader" --version
