"""The deployment files are well-formed and say what the code does (Docker and systemd cannot run here).

Each check ties a file to the code it depends on: the paths the Dockerfile copies exist and cover every
package pyproject installs, the commands the image, the compose file and the unit start are real ``copbot``
commands, the port and health path match, and docs/deploy.md lists exactly the metrics the bot exports.
"""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import metrics
from bot.runtime import Runtime
from copbot.cli import build_parser
from copbot.ops_http import HEALTH_PATH, RuntimeGauges

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def interpolate(text: str, defaults: dict[str, str]) -> str:
    """Compose's and systemd's ``${VAR}`` / ``${VAR:-default}``, with the given values."""
    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", lambda m: defaults.get(m.group(1), m.group(2) or ""), text)


def parses_as_copbot(argv: list[str]) -> None:
    """argparse exits on an unknown command or option; a SystemExit here means the file names no real command."""
    build_parser().parse_args(argv)


# --- Dockerfile -----------------------------------------------------------------------------------------------


def test_the_dockerfile_copies_real_paths_and_every_installed_package() -> None:
    copied = []
    for word, args in dockerfile():
        if word == "COPY":
            *sources, _dest = args.split()
            copied += [s for s in sources if not s.startswith("--")]
    assert copied, "the Dockerfile copies nothing"
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: no such path in the repository"
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    for pattern in packages:
        assert pattern.rstrip("*") in copied, f"pyproject installs {pattern} but the image never copies it"
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()]
    assert not set(copied) & set(ignored), "the .dockerignore hides a path the Dockerfile copies"


def test_the_image_runs_copbot_on_port_with_a_healthcheck_on_healthz() -> None:
    instructions = dockerfile()
    entry = next(args for word, args in instructions if word == "ENTRYPOINT")
    cmd = next(args for word, args in instructions if word == "CMD")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert yaml.safe_load(entry) == ["copbot"] and "copbot" in scripts
    parses_as_copbot(yaml.safe_load(cmd))
    env = " ".join(args for word, args in instructions if word == "ENV")
    port = re.search(r"\bPORT=(\d+)", env)
    assert port is not None
    assert next(args for word, args in instructions if word == "EXPOSE") == port.group(1)
    healthcheck = next(args for word, args in instructions if word == "HEALTHCHECK")
    assert HEALTH_PATH in healthcheck and "'PORT'" in healthcheck
    assert next(args for word, args in instructions if word == "USER") != "root"


# --- compose --------------------------------------------------------------------------------------------------


def test_compose_runs_the_migration_before_the_bot_on_postgresql() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "migrate", "copbot"}
    bot, migrate = services["copbot"], services["migrate"]
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "healthcheck" in services["postgres"]
    for service in (bot, migrate):
        url = service["environment"]["COPBOT_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://") and "@postgres:5432/" in url
    assert (DEPLOY / migrate["build"]["context"] / migrate["build"]["dockerfile"]).resolve() == ROOT / "Dockerfile"
    assert migrate["image"] == bot["image"]


def test_compose_commands_are_real_copbot_commands_and_the_port_matches() -> None:
    services = compose()["services"]
    values = {"COPBOT_PLATFORM": "discord"}
    for name in ("copbot", "migrate"):
        parses_as_copbot([interpolate(arg, values) for arg in services[name]["command"]])
    bot = services["copbot"]
    assert "--platform" in bot["command"]  # no console session in a container without a terminal
    port = bot["environment"]["PORT"]
    assert f"{port}:{port}" in bot["ports"]


def test_compose_mounts_the_config_as_a_directory_for_hot_reload() -> None:
    for name in ("copbot", "migrate"):
        for volume in compose()["services"][name]["volumes"]:
            source, target, *_ = volume.split(":")
            assert not source.endswith((".yaml", ".yml")), "a single-file bind mount never sees an editor's save"
            assert target == "/config"


def test_every_variable_compose_reads_is_explained_in_example_env() -> None:
    used = set(re.findall(r"\$\{(\w+)", (DEPLOY / "compose.yaml").read_text()))
    explained = set(re.findall(r"^#?\s*(\w+)=", (DEPLOY / "example.env").read_text(), re.MULTILINE))
    assert used and used <= explained, used - explained


# --- systemd --------------------------------------------------------------------------------------------------


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / "copbot.service").read_text())
    return parser


def test_the_systemd_unit_runs_a_real_copbot_command_and_stops_on_a_config_error() -> None:
    service = unit()
    assert set(service.sections()) == {"Unit", "Service", "Install"}
    argv = shlex.split(interpolate(service["Service"]["ExecStart"], {"COPBOT_PLATFORM": "slack"}))
    assert Path(argv[0]).name == "copbot"
    parses_as_copbot(argv[1:])
    assert service["Service"]["RestartPreventExitStatus"] == "2"  # the CLI's "a person must fix this" code
    assert service["Service"]["KillSignal"] == "SIGTERM"
    assert "StartLimitBurst" in service["Unit"]  # systemd ignores it in [Service]
    assert service["Install"]["WantedBy"] == "multi-user.target"


def test_a_user_error_really_exits_2() -> None:
    """What RestartPreventExitStatus relies on: a broken config is exit 2 (checked on the real CLI)."""
    from copbot.cli import main

    assert main(["check", "--config", str(ROOT / "no-such-community.yaml")]) == 2


# --- docs -----------------------------------------------------------------------------------------------------


async def test_the_deploy_guide_lists_exactly_the_metrics_the_bot_exports(runtime: Runtime) -> None:
    exported = {
        family.name + {"counter": "_total", "info": "_info"}.get(family.type, "")
        for family in metrics.REGISTRY.collect()
        if family.name.startswith("copbot_")
    }
    gauges = RuntimeGauges(runtime)
    gauges.read_database()
    exported |= {family.name for family in gauges.collect()}
    assert "copbot_last_tick_age_seconds" in exported  # the runtime has ticked: every gauge is there
    documented = set(re.findall(r"\b(copbot_[a-z_]+)", (ROOT / "docs" / "deploy.md").read_text()))
    assert exported <= documented, f"undocumented: {sorted(exported - documented)}"
    assert documented <= exported, f"documented but not exported: {sorted(documented - exported)}"


def test_the_readme_links_the_deploy_guide() -> None:
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text()


# --- hardening ------------------------------------------------------------------------------------------------

SYSTEMD_SCORE_LIMIT = 2.5


def systemd_exposure() -> float:
    """``systemd-analyze security``'s overall exposure for the unit file as shipped (lower is safer, 0-10)."""
    out = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--no-pager", str(DEPLOY / "copbot.service")],
        capture_output=True, text=True, check=False,
    )
    found = re.search(r"Overall exposure level for copbot\.service: (\d+(?:\.\d+)?)", out.stdout)
    assert found is not None, out.stdout + out.stderr
    return float(found.group(1))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_the_systemd_unit_scores_under_2_5_in_systemd_analyze_security() -> None:
    score = systemd_exposure()
    assert score < SYSTEMD_SCORE_LIMIT
    documented = re.search(r"scores it \*\*(\d+\.\d+) OK\*\*", (ROOT / "docs" / "deploy.md").read_text())
    assert documented is not None and float(documented.group(1)) == score, "docs/deploy.md gives another score"


def test_the_image_runs_as_a_numeric_non_root_user() -> None:
    user = next(args for word, args in dockerfile() if word == "USER")
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0 and (not gid or (gid.isdigit() and int(gid) != 0))
    assert f"--uid {uid}" in " ".join(args for word, args in dockerfile() if word == "RUN")


def test_compose_passes_the_dashboard_token_and_the_log_settings_to_the_bot() -> None:
    environment = compose()["services"]["copbot"]["environment"]
    for name in ("COPBOT_DASHBOARD_TOKEN", "COPBOT_LOG_LEVEL", "COPBOT_LOG_FORMAT"):
        assert f"${{{name}" in str(environment.get(name)), name
