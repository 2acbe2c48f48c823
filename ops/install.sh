#!/bin/sh
# The one install procedure. CI (`.ci/run`, `make install`) and the image (ops/Dockerfile) both run
# it, so a green CI means the image's install steps work.
#
#   ops/install.sh system
#       Debian packages the graders need: gcc and libc headers (`go build -race` uses cgo),
#       util-linux and iproute2 (the sandbox's unshare, mount, setpriv, prlimit and ip), procps.
#       Installs only what is missing; run as root.
#
#   ops/install.sh python VENV EXTRAS [--dev] [--editable]
#       A virtualenv at VENV with quantsweep and the given extras (comma-separated: grader, local),
#       plus the dev group (tests, lint, types) with --dev, as an editable install with --editable.
set -eu

SYSTEM_PACKAGES="gcc libc6-dev util-linux mount iproute2 procps"

die() { echo "ops/install.sh: $*" >&2; exit 2; }

system() {
    missing=""
    for package in $SYSTEM_PACKAGES; do
        status=$(dpkg-query -W -f '${Status}' "$package" 2>/dev/null || true)
        case "$status" in *" installed") ;; *) missing="$missing $package" ;; esac
    done
    if [ -z "$missing" ]; then
        echo "system packages present: $SYSTEM_PACKAGES"
        return
    fi
    [ "$(id -u)" -eq 0 ] || die "missing Debian packages:$missing (run as root to install them)"
    echo "installing:$missing"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    rm -rf /var/lib/apt/lists/*
}

python_env() {
    [ $# -ge 2 ] || die "usage: ops/install.sh python VENV EXTRAS [--dev] [--editable]"
    venv=$1 extras=$2
    shift 2
    group="" editable=""
    for flag in "$@"; do
        case "$flag" in
            --dev) group="--group dev" ;;
            --editable) editable="-e" ;;
            *) die "unknown flag $flag (expected --dev or --editable)" ;;
        esac
    done
    cd "$(dirname "$0")/.."
    if [ ! -x "$venv/bin/python" ]; then
        "${PYTHON:-python3}" -m venv "$venv"
    fi
    # pip >= 25.1 reads [dependency-groups] (--group).
    "$venv/bin/python" -m pip install --quiet --upgrade 'pip>=25.1'
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip install --quiet $editable ".[$extras]" $group
}

[ $# -ge 1 ] || die "usage: ops/install.sh system | python VENV EXTRAS [--dev] [--editable]"
step=$1
shift
case "$step" in
    system) system "$@" ;;
    python) python_env "$@" ;;
    *) die "unknown step $step (expected system or python)" ;;
esac
