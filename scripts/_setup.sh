# Sourced by scripts/test and scripts/demo: makes .venv with bootgate and its extras installed.
# Safe to run any number of times; it reinstalls only when pyproject.toml changed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$root/.venv"
python=${PYTHON:-python3}

if [ ! -x "$venv/bin/python" ]; then
    echo "setup: creating $venv"
    "$python" -m venv "$venv"
fi

stamp="$venv/.bootgate-stamp"
want=$(cat "$root/pyproject.toml" "$root/scripts/_setup.sh" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: installing bootgate[all] and the dev group into $venv"
    # (some machines' pip configuration names optional local indexes; their absence is noise)
    quiet() { "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
    quiet "$venv/bin/python" -m pip install --quiet --upgrade pip
    quiet "$venv/bin/python" -m pip install --quiet -e "$root[all]" --group "$root/pyproject.toml:dev"
    echo "$want" > "$stamp"
fi

# Browser tests drive Debian's Chromium (never a downloaded browser build); as root, install it.
if [ "${BOOTGATE_NEED_BROWSER:-0}" = 1 ] && ! command -v chromium >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        echo "setup: installing chromium (Debian package)"
        apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null
    else
        echo "setup: chromium is missing; browser tests will be skipped (run as root to install it)"
    fi
fi

# The Compose tests run a Docker engine of their own (Debian's docker.io and docker-compose) on a
# base image built with debootstrap; as root, install them. apt does not start the daemon here.
if [ "${BOOTGATE_NEED_DOCKER:-0}" = 1 ] \
    && ! { [ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker-compose ] && command -v debootstrap >/dev/null; }; then
    if [ "$(id -u)" = 0 ]; then
        echo "setup: installing docker.io, docker-compose and debootstrap (Debian packages)"
        apt-get update -qq >/dev/null \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose debootstrap >/dev/null
    else
        echo "setup: docker.io, docker-compose or debootstrap is missing; Compose tests will be skipped"
    fi
fi

export PATH="$venv/bin:$PATH"
cd "$root"
