"""The shipped deployment files (issue 19): the image installs every system library the product
loads, compose refuses weak secrets and migrates once, and the dependency lock covers pyproject.

No container engine runs on the development and CI machines (docs/deployment.md), so the image is
checked here without building it: the libraries and fonts a real PDF render and a Czech sort
load in this process must come from the Debian packages of requirements/system-runtime.txt (or
what those depend on), the list the Dockerfile's runtime stage installs and .ci/run installs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import PROJECT_ROOT

from web.config import ConfigurationError, load_config

RUNTIME_LIST = PROJECT_ROOT / "requirements" / "system-runtime.txt"
BUILD_LIST = PROJECT_ROOT / "requirements" / "system-build.txt"
LOCK = PROJECT_ROOT / "requirements" / "lock.txt"


def _packages(path: Path) -> list[str]:
    return [
        line.split("#", 1)[0].strip()
        for line in path.read_text().splitlines()
        if line.split("#", 1)[0].strip()
    ]


def _stages(dockerfile: str) -> list[str]:
    return re.split(r"^FROM ", dockerfile, flags=re.M)[1:]


# ------------------------------------------------------------------------------ the image


def test_dockerfile_installs_the_lists_in_its_two_stages():
    stages = _stages((PROJECT_ROOT / "Dockerfile").read_text())
    assert len(stages) == 2, "a build stage and a runtime stage"
    build, runtime = stages
    assert "requirements/system-build.txt" in build and "apt-get install" in build
    assert "requirements/system-runtime.txt" in runtime and "apt-get install" in runtime
    assert "build-essential" not in runtime and "system-build" not in runtime and "-dev" not in runtime
    assert re.search(r"^USER (?!root)\w+", runtime, flags=re.M), "runs as a non-root user"
    assert "--constraint requirements/lock.txt" in build, "installs at the locked versions"
    assert "lockcheck.py installed" in build, "fails the build when the lock misses a dependency"
    assert "COPY --from=build /opt/venv /opt/venv" in runtime
    assert "COPY . ." not in runtime + build, "only what the product needs is copied"
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "requirements/system-runtime.txt" in ci and "requirements/system-build.txt" in ci


def test_dockerignore_keeps_tests_bench_docs_and_caches_out():
    ignored = set((PROJECT_ROOT / ".dockerignore").read_text().split())
    assert {
        "tests",
        "bench",
        "docs",
        "control",
        ".git",
        ".venv",
        "**/__pycache__",
        ".pytest_cache",
    } <= ignored


_PROBE = r"""
import io, json, sys
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate
from workflow.exports import pdf
import icu
fonts = pdf.register_fonts()
style = ParagraphStyle("probe", fontName=pdf.FONT, hyphenationLang=pdf.HYPHENATION)
SimpleDocTemplate(io.BytesIO()).build([Paragraph("Čáslav – Cvikov – Dubá " * 20, style)])
icu.Collator.createInstance(icu.Locale("cs_CZ")).getSortKey("Čáslav")
paths = set(fonts.values())  # ReportLab reads the font files, it does not map them
for line in open("/proc/self/maps"):
    parts = line.split(None, 5)
    if len(parts) == 6 and parts[5].startswith("/"):
        paths.add(parts[5].strip())
print(json.dumps(sorted(paths)))
"""

# Extension modules of Python's standard library: their libraries come with the python image.
_BASELINE = r"""
import json, ssl, sqlite3, ctypes, zlib, bz2, lzma, hashlib, decimal, uuid, ctypes.util
paths = set()
for line in open("/proc/self/maps"):
    parts = line.split(None, 5)
    if len(parts) == 6 and parts[5].startswith("/"):
        paths.add(parts[5].strip())
print(json.dumps(sorted(paths)))
"""


def _mapped(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(out.stdout))


def _owner(path: str) -> str | None:
    candidates = {path, os.path.realpath(path)}
    for candidate in list(candidates):
        if candidate.startswith("/usr/lib/"):
            candidates.add(candidate[4:])
        elif candidate.startswith("/lib/"):
            candidates.add("/usr" + candidate)
    for candidate in candidates:
        found = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(":", 1)[0].strip()
    return None


def _installed_closure(roots: list[str]) -> set[str]:
    """Installed packages ``roots`` need (Depends, Pre-Depends, transitively), roots included."""
    status = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package}\t${Provides}\t${Depends}, ${Pre-Depends}\n"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    depends: dict[str, list[list[str]]] = {}
    provided_by: dict[str, set[str]] = {}
    for line in status.splitlines():
        name, provides, deps = line.split("\t")
        depends[name] = [
            [re.split(r"[\s(:]", alt.strip())[0] for alt in group.split("|")]
            for group in deps.split(",")
            if group.strip()
        ]
        for virtual in provides.split(","):
            if virtual.strip():
                provided_by.setdefault(re.split(r"[\s(:]", virtual.strip())[0], set()).add(name)
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for group in depends.get(name, []):
            for alt in group:
                todo.extend(p for p in ({alt} | provided_by.get(alt, set())) if p in depends)
    return seen


@pytest.mark.skipif(not shutil.which("dpkg-query"), reason="needs a Debian system (the image's base)")
def test_image_installs_every_system_library_the_product_loads():
    runtime = _packages(RUNTIME_LIST)
    missing = [p for p in runtime if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode]
    assert not missing, f"{missing} not installed: .ci/run installs requirements/system-runtime.txt"
    python_own = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    loaded = {
        path
        for path in _mapped(_PROBE) - _mapped(_BASELINE)
        if not any(path.startswith(prefix + "/") for prefix in python_own)
        and (".so" in Path(path).name or path.startswith("/usr/share/fonts/"))
    }
    assert any("libicu" in path for path in loaded), "the probe did not load ICU"
    assert any("/dejavu/" in path.lower() for path in loaded), "the PDF's DejaVu Sans was not used"
    allowed = _installed_closure(runtime)
    outside = {path: _owner(path) for path in sorted(loaded)}
    outside = {path: owner for path, owner in outside.items() if owner not in allowed}
    assert not outside, (
        "loaded at run time but not from requirements/system-runtime.txt or its dependencies "
        f"(add the package there): {outside}"
    )


# ------------------------------------------------------------------------------ compose


def _compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def test_compose_requires_the_secrets_and_has_no_default_for_them():
    text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD"):
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", text)
        assert uses, name
        assert all(use.startswith(":?") for use in uses), f"{name} must be required (${{{name}:?…}})"
    assert "change-me" not in text


def test_compose_migrates_once_before_web_worker_and_beat():
    services = _compose()["services"]
    assert services["migrate"]["command"] == ["flask", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert "upgrade" not in json.dumps(service["command"]), f"{name} must not migrate"
        assert service["restart"] == "unless-stopped", name
        assert service["environment"]["PLNENI_ENV"] == "production"


def test_compose_images_are_pinned_and_health_checks_kept():
    services = _compose()["services"]
    for name, service in services.items():
        image = service["image"]
        if image.startswith("plneni:"):
            assert "build" in service, name
            continue
        tag = image.rsplit(":", 1)[1] if ":" in image else ""
        assert re.fullmatch(r"v?\d+\.\d+(\.\d+)?(-[a-z]+)?", tag), f"{name}: pin a version tag, not {image!r}"
        assert service.get("restart") == "unless-stopped", name
    for name in ("postgres", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name


@pytest.mark.parametrize(
    "secret",
    [
        "change-me-in-docker-compose-please-0123456789",  # the compose file's old default
        "short-but-random-Zq8",
        "k" * 48,
        "abababababababababababababababababababab",
        "replace-me-with-a-long-random-string-please-0123",
    ],
)
def test_production_refuses_weak_and_placeholder_secrets(tmp_path, secret):
    env = {"PLNENI_ENV": "production", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": secret}
    with pytest.raises(ConfigurationError, match="SECRET_KEY is too weak"):
        load_config(env)


def test_production_accepts_generated_secrets(tmp_path):
    import secrets

    for secret in (secrets.token_hex(32), secrets.token_urlsafe(32)):
        config = load_config(
            {"PLNENI_ENV": "production", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": secret}
        )
        assert config["SECRET_KEY"] == secret


# ------------------------------------------------------------------------------ the lock


def test_lock_covers_pyproject_and_this_environment():
    """What bootstrap checks: every dependency of every extra is pinned, and this test environment
    (installed by bootstrap with test,lint) is at the pinned versions."""
    check = [sys.executable, str(PROJECT_ROOT / "scripts" / "lockcheck.py")]
    assert (
        subprocess.run([*check, "pyproject", "test,lint,bench"], capture_output=True, text=True).returncode
        == 0
    )
    result = subprocess.run([*check, "installed", "test,lint"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_lockcheck_names_a_dependency_the_lock_lacks(tmp_path):
    """A dependency added to pyproject.toml without re-locking fails loudly, naming it."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "requirements").mkdir()
    shutil.copy(PROJECT_ROOT / "scripts" / "lockcheck.py", tmp_path / "scripts")
    shutil.copy(LOCK, tmp_path / "requirements" / "lock.txt")
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text()
    pyproject = pyproject.replace('bench = ["locust', 'bench = ["tabulate>=0.9", "locust', 1)
    (tmp_path / "pyproject.toml").write_text(pyproject)
    script = [sys.executable, str(tmp_path / "scripts" / "lockcheck.py"), "pyproject"]
    assert subprocess.run([*script, "test,lint"], capture_output=True).returncode == 0
    result = subprocess.run([*script, "bench"], capture_output=True, text=True)
    assert result.returncode == 1
    assert "tabulate>=0.9 is in pyproject.toml but not in requirements/lock.txt" in result.stderr
    assert "scripts/lock.sh" in result.stderr
