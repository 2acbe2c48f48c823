"""The deployment files: compose.yaml is valid Compose as an operator's .env makes it, runs
commands that exist, sets only variables the code reads, keeps secrets out of the file, binds
ports deliberately, and gives each role the services it needs; the image installs with the same
script as CI."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from exams.sandbox import jail
from tests.support.compose_files import REPO, InterpolationError, effective, example_env, read_env_file

SCHEMA = REPO.parent / "shared" / "reference" / "compose-spec.json"
OVERRIDES = sorted((REPO / "ops" / "llama-swap").glob("compose.*.yaml"))
GUIDE = REPO / "ops" / "README.md"
PACKAGES = ("scheduler", "worker", "exams")
# Read by programs other than ours: Python itself, and Compose (in .env).
NOT_OURS = {"PATH", "PYTHONUNBUFFERED", "PIP_NO_CACHE_DIR", "COMPOSE_FILE"}


def validator() -> jsonschema.Draft7Validator:
    if not SCHEMA.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SCHEMA} is missing")
        pytest.skip(f"{SCHEMA} is missing")
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))


def schema_errors(config: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(config)]


def quantsweep_services(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run our image (the others are Redis, Postgres and llama-swap)."""
    return {
        name: s
        for name, s in config["services"].items()
        if s.get("build", {}).get("dockerfile") == "ops/Dockerfile"
    }


def variables_the_code_reads() -> set[str]:
    """Every UPPER_CASE string literal in our packages: the names settings and modules look up."""
    names = set()
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                literal = node.value if isinstance(node, ast.Constant) else None
                if isinstance(literal, str) and re.fullmatch(
                    r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+|[A-Z]{4,}", literal
                ):
                    names.add(literal)
    return names


@pytest.mark.parametrize(
    "overrides", [[], *[[o] for o in OVERRIDES]], ids=lambda o: o[0].name if o else "base"
)
def test_compose_file_is_valid_compose_as_an_env_file_makes_it(overrides: list[Path]) -> None:
    assert schema_errors(effective(example_env(), *overrides)) == []


def test_the_compose_check_rejects_a_misspelt_key() -> None:
    broken = effective(example_env())
    broken["services"]["redis"]["helthcheck"] = broken["services"]["redis"].pop("healthcheck")
    assert any("helthcheck" in error for error in schema_errors(broken))


def test_the_gpu_overrides_drop_the_vulkan_device_and_change_the_image() -> None:
    vulkan = effective(example_env())["services"]["llama-swap"]
    assert vulkan["devices"] == ["/dev/dri:/dev/dri"] and vulkan["image"].endswith(":vulkan")
    for override in OVERRIDES:
        service = effective(example_env(), override)["services"]["llama-swap"]
        assert "devices" not in service, override.name
        assert service["image"].endswith(":" + override.name.split(".")[1]), override.name
    cuda = effective(example_env(), REPO / "ops/llama-swap/compose.cuda.yaml")["services"]["llama-swap"]
    assert cuda["deploy"]["resources"]["reservations"]["devices"][0]["driver"] == "nvidia"


@pytest.mark.parametrize("variable", ["REDIS_PASSWORD", "POSTGRES_PASSWORD", "FLOWER_BASIC_AUTH"])
def test_compose_refuses_to_run_without_each_secret(variable: str) -> None:
    with pytest.raises(
        InterpolationError, match=rf"{variable} is missing a value: set {variable}.* in \.env"
    ):
        effective(example_env(**{variable: ""}))


def test_no_secret_has_a_default_in_any_deployment_file() -> None:
    for path in [REPO / "compose.yaml", *OVERRIDES]:
        text = path.read_text()
        assert not re.search(r"(PASSWORD|BASIC_AUTH)(:?-)", text), f"{path.name} gives a secret a default"
    example = read_env_file(REPO / "ops" / "env.example")
    assert example["REDIS_PASSWORD"] == example["POSTGRES_PASSWORD"] == example["FLOWER_BASIC_AUTH"] == ""


def test_secrets_travel_in_urls_and_environment_never_in_a_command_line() -> None:
    config = effective(example_env())
    for name, service in config["services"].items():
        argv = " ".join(map(str, service.get("command", []) + service.get("entrypoint", [])))
        for secret in ("r3dis-pass", "pg-pass", "fl0wer"):
            assert secret not in argv, f"service {name} puts a secret on its command line"
    worker_env = config["services"]["gpu-worker"]["environment"]
    assert worker_env["REDIS_URL"] == "redis://:r3dis-pass@redis:6379/0"
    assert worker_env["DATABASE_URL"] == "postgresql://quantsweep:pg-pass@postgres:5432/quantsweep"


def test_a_gpu_machine_reaches_the_head_by_head_host() -> None:
    worker_env = effective(example_env(HEAD_HOST="10.0.0.5"))["services"]["gpu-worker"]["environment"]
    assert worker_env["REDIS_URL"].endswith("@10.0.0.5:6379/0")
    assert worker_env["DATABASE_URL"].endswith("@10.0.0.5:5432/quantsweep")
    assert worker_env["LLAMA_SWAP_URL"] == "http://llama-swap:8080"


def test_every_published_port_names_its_host_address() -> None:
    services = effective(example_env())["services"]
    published = {name: s["ports"] for name, s in services.items() if "ports" in s}
    assert set(published) == {"redis", "postgres", "flower", "llama-swap"}
    for name, ports in published.items():
        for port in ports:
            assert str(port).startswith("127.0.0.1:"), (
                f"{name} publishes {port} on every interface by default"
            )
    fleet = effective(example_env(HEAD_BIND="192.168.1.10"))["services"]
    assert fleet["redis"]["ports"] == ["192.168.1.10:6379:6379"]


def test_every_quantsweep_service_runs_a_command_that_exists() -> None:
    from scheduler.cli import cli as scheduler_cli
    from worker.cli import cli as worker_cli

    clis = {"scheduler": scheduler_cli, "worker": worker_cli}
    services = quantsweep_services(effective(example_env()))
    assert set(services) == {"migrate", "flower", "cpu-worker", "gpu-worker", "scheduler"}
    for name, service in services.items():
        argv = list(service.get("entrypoint", [])) + list(service.get("command", []))
        program, args = argv[0], argv[1:]
        # Click parses the options before acting on --help: a misspelt option fails here too.
        result = CliRunner().invoke(clis[program], [*(a for a in args if a != "--help"), "--help"])
        assert result.exit_code == 0, f"service {name}: `{' '.join(argv)}` fails: {result.output}"


def test_the_compose_check_catches_a_command_that_does_not_exist() -> None:
    from worker.cli import cli as worker_cli

    assert CliRunner().invoke(worker_cli, ["gpus", "--help"]).exit_code != 0


def test_compose_and_the_image_set_only_variables_the_code_reads() -> None:
    read = variables_the_code_reads()
    assert {"REDIS_URL", "LLAMA_SWAP_URL", "FLOWER_BASIC_AUTH", "QUANTSWEEP_GOCACHE"} <= read
    for name, service in quantsweep_services(effective(example_env())).items():
        for variable in service.get("environment", {}):
            assert variable in read, f"service {name} sets {variable}, which nothing reads"
    dockerfile = (REPO / "ops" / "Dockerfile").read_text()
    for variable in re.findall(r"^\s*(?:ENV\s+)?([A-Z][A-Z0-9_]+)=", dockerfile, re.MULTILINE):
        assert variable in read | NOT_OURS, f"the image sets {variable}, which nothing reads"


def test_env_example_and_compose_name_the_same_variables() -> None:
    used = set()
    for path in [REPO / "compose.yaml", *OVERRIDES]:
        used |= set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", path.read_text()))
    example = set(read_env_file(REPO / "ops" / "env.example"))
    documented = example | set(
        re.findall(r"^#\s*([A-Z_][A-Z0-9_]*)=", (REPO / "ops/env.example").read_text(), re.MULTILINE)
    )
    assert used - documented == set(), "compose reads variables ops/env.example does not explain"
    assert documented - used - NOT_OURS == set(), "ops/env.example sets variables compose never reads"


def role_commands() -> dict[str, list[str]]:
    """`docker compose up` lines of compose.yaml's header, by role."""
    roles = {}
    for line in (REPO / "compose.yaml").read_text().splitlines():
        match = re.match(r"#\s+(.+?):\s+docker compose up -d((?: [\w-]+)*)", line)
        if match:
            roles[match.group(1)] = match.group(2).split()
    return roles


def test_each_role_starts_existing_services_and_the_head_pulls_in_nothing_else() -> None:
    services = effective(example_env())["services"]
    default = {name for name, s in services.items() if not s.get("profiles")}
    roles = role_commands()
    assert set(roles) == {
        "one machine with a GPU",
        "head machine",
        "each GPU machine",
        "more graders anywhere",
    }
    assert roles["one machine with a GPU"] == []  # plain `docker compose up -d`: every default service
    head = [s for s in roles["head machine"] if s != "--no-deps"]
    gpu = [s for s in roles["each GPU machine"] if s != "--no-deps"]
    assert set(head) | set(gpu) == default and not set(head) & set(gpu)
    assert "--no-deps" in roles["each GPU machine"] and "--no-deps" in roles["more graders anywhere"]
    for service in head:
        for dependency in services[service].get("depends_on", {}):
            assert dependency in head, f"the head's {service} would start {dependency}"
    assert services["scheduler"]["profiles"] == ["tools"], (
        "the CLI is a one-off (`docker compose run`), never started by `up`"
    )


def test_the_operators_guide_uses_the_same_role_commands() -> None:
    guide = GUIDE.read_text()
    for services in role_commands().values():
        assert " ".join(["docker compose up -d", *services]).strip() in guide


def test_the_graders_container_can_create_the_sandbox_namespaces() -> None:
    cpu = effective(example_env())["services"]["cpu-worker"]
    assert cpu["user"] == "0:0", "the jail needs root to switch each run to a fresh uid"
    assert {"SYS_ADMIN", "NET_ADMIN"} <= set(cpu["cap_add"])
    assert "apparmor=unconfined" in cpu["security_opt"]
    assert not any(option.startswith("seccomp") for option in cpu["security_opt"]), "keep Docker's seccomp"
    assert not cpu.get("privileged")


def test_gpu_and_cpu_workers_can_finish_their_running_job_when_stopped() -> None:
    from worker.app import GENERATE_HARD_LIMIT_S, GRADE_HARD_LIMIT_S

    services = effective(example_env())["services"]
    for name, hard_limit_s in (("gpu-worker", GENERATE_HARD_LIMIT_S), ("cpu-worker", GRADE_HARD_LIMIT_S)):
        grace = services[name]["stop_grace_period"]
        assert grace.endswith("m") and int(grace[:-1]) * 60 > hard_limit_s, name


# The image and CI install with one script.


def dockerfile_runs() -> list[str]:
    text = (REPO / "ops" / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip()[4:] for line in text.splitlines() if line.strip().startswith("RUN ")]


def test_the_image_installs_only_through_the_ci_install_script() -> None:
    runs = dockerfile_runs()
    assert any("ops/install.sh system" in run for run in runs)
    assert any(re.search(r"ops/install\.sh python \S+ grader\b", run) for run in runs)
    for run in runs:
        assert not re.search(r"pip install|apt-get|apk add", run), (
            f"install step outside ops/install.sh: {run}"
        )
    makefile = (REPO / "Makefile").read_text()
    assert re.search(
        r"^install:\n\t.*ops/install\.sh python \$\(VENV\) grader,local --dev --editable",
        makefile,
        re.MULTILINE,
    )
    assert "sh ops/install.sh system" in (REPO / ".ci" / "run").read_text()


def test_the_image_copies_files_that_exist() -> None:
    for line in (REPO / "ops" / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            for source in line.split()[1:-1]:
                assert (REPO / source).exists(), f"ops/Dockerfile copies {source}, which does not exist"


def test_install_script_packages_provide_every_tool_the_sandbox_runs() -> None:
    script = (REPO / "ops" / "install.sh").read_text()
    packages = set(re.search(r'SYSTEM_PACKAGES="([^"]+)"', script).group(1).split())  # type: ignore[union-attr]
    if not shutil.which("dpkg"):
        pytest.skip("not a Debian system")
    for tool in jail.REQUIRED_TOOLS:
        path = shutil.which(tool)
        assert path, f"{tool} is missing here: run ops/install.sh system"
        owners = subprocess.run(
            ["dpkg", "-S", os.path.realpath(path)], check=False, capture_output=True, text=True
        ).stdout
        if not owners:  # merged /usr: dpkg knows the /bin or /sbin path
            alternative = "/" + os.path.realpath(path).removeprefix("/usr/").lstrip("/")
            owners = subprocess.run(
                ["dpkg", "-S", alternative], check=False, capture_output=True, text=True
            ).stdout
        owner = owners.split(":")[0]
        assert owner in packages, f"{tool} comes from {owner!r}, which ops/install.sh does not install"


def test_install_script_refuses_a_wrong_step_with_one_line() -> None:
    done = subprocess.run(
        ["sh", str(REPO / "ops" / "install.sh"), "python"], check=False, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "ops/install.sh: usage: ops/install.sh python VENV EXTRAS [--dev] [--editable]"
    ]
    done = subprocess.run(
        ["sh", str(REPO / "ops" / "install.sh"), "python", "/nonexistent/venv", "grader", "--fast"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "unknown flag --fast" in done.stderr
    assert not Path("/nonexistent/venv").exists()
