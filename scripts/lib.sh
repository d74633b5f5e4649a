# Shared helpers for scripts/run and scripts/test (sourced, not executed).

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=""
apt_install() {
  # Install Debian packages by name, running 'apt-get update' once per script run.
  if [ -z "$apt_updated" ]; then
    log "apt-get update"
    as_root apt-get update -qq
    apt_updated=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

find_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)'; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "需要 Python 3.11 或更高版本" >&2
  return 1
}

ensure_venv() {
  # Create .venv and install the given requirements file, skipping pip when nothing changed.
  local requirements=$1 python stamp wanted
  python=$(find_python)
  if [ ! -x .venv/bin/python ]; then
    log "creating .venv with $python"
    if ! "$python" -m venv .venv 2>/dev/null; then
      rm -rf .venv
      apt_install python3-venv
      "$python" -m venv .venv
    fi
  fi
  stamp=.venv/.installed-requirements
  wanted=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)-$requirements
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    log "installing $requirements"
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
    echo "$wanted" >"$stamp"
  fi
}
