# Sourced by scripts/demo, scripts/test and .ci/run: cd to the repository and make `uv` available.
# A fresh machine needs only Python 3.11+ and pip; uv comes from PyPI and installs the locked dependencies.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v uv >/dev/null 2>&1; then
  if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "==> installing uv with pip" >&2
    python3 -m pip install --quiet uv \
      || python3 -m pip install --quiet --user --break-system-packages uv
  fi
  uv() { python3 -m uv "$@"; }
fi
