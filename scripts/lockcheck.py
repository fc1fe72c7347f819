"""Check that requirements/lock.txt covers what pyproject.toml asks for (run by scripts/bootstrap.sh
and the Dockerfile; needs only the standard library and pip).

    python scripts/lockcheck.py pyproject [EXTRAS]   before installing: every dependency of the
        runtime and of EXTRAS (comma-separated, e.g. ``test,lint``) has a pin in the lock that
        satisfies pyproject's version range.
    python scripts/lockcheck.py installed [EXTRAS]   after installing: every distribution that
        ``plneni[EXTRAS]`` needs, transitively, is installed at exactly the locked version.

Exit status 1 with one line per problem and the fix (``scripts/lock.sh``) when not; 0 when all is
covered. A dependency missing from the lock would otherwise be resolved afresh on every install.
"""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

try:
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # a fresh virtualenv: pip vendors packaging
    from pip._vendor.packaging.markers import default_environment
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"
PROJECT = "plneni"
FIX = "run scripts/lock.sh (and commit requirements/lock.txt)"


def locked_versions(lock: Path = LOCK) -> dict[str, str]:
    """``{canonical name: version}`` of the pins in ``lock`` that apply to this interpreter.

    :raises FileNotFoundError: no lock file.
    """
    pins: dict[str, str] = {}
    for raw in lock.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate():
            continue
        spec = next(iter(req.specifier))
        pins[canonicalize_name(req.name)] = spec.version
    return pins


def _marker_ok(req: Requirement, extras: set[str]) -> bool:
    if req.marker is None:
        return True
    env = dict(default_environment())
    return any(req.marker.evaluate({**env, "extra": extra}) for extra in (extras or {""}))


def project_requirements(extras: set[str]) -> list[Requirement]:
    """pyproject.toml's runtime dependencies plus those of ``extras``, self-references expanded."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    optional = project.get("optional-dependencies", {})
    wanted, seen, found = set(extras), set(), [Requirement(r) for r in project["dependencies"]]
    while wanted - seen:
        extra = (wanted - seen).pop()
        seen.add(extra)
        if extra not in optional:
            raise SystemExit(f"lockcheck: pyproject.toml has no extra {extra!r}")
        for text in optional[extra]:
            req = Requirement(text)
            if canonicalize_name(req.name) == PROJECT:
                wanted |= req.extras
            else:
                found.append(req)
    return [r for r in found if _marker_ok(r, set())]


def check_pyproject(extras: set[str]) -> list[str]:
    """Problems: dependencies of the runtime and ``extras`` with no satisfying pin in the lock."""
    pins = locked_versions()
    problems = []
    for req in project_requirements(extras):
        version = pins.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req} is in pyproject.toml but not in requirements/lock.txt")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req} is in pyproject.toml, requirements/lock.txt pins {req.name}=={version}")
    return problems


def check_installed(extras: set[str]) -> list[str]:
    """Problems: distributions ``plneni[extras]`` needs that are missing or not at the locked version."""
    pins = locked_versions()
    problems = []
    todo = [(req, req.extras) for req in project_requirements(extras)]
    seen: set[str] = set()
    while todo:
        req, req_extras = todo.pop()
        name = canonicalize_name(req.name)
        key = f"{name}[{','.join(sorted(req_extras))}]"
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{req.name} is needed but not installed")
            continue
        if pins.get(name) != dist.version:
            locked = pins.get(name, "nothing")
            problems.append(f"{name} {dist.version} is installed, requirements/lock.txt pins {locked}")
        for text in dist.requires or []:
            sub = Requirement(text)
            if _marker_ok(sub, set(req_extras)):
                todo.append((sub, sub.extras))
    return problems


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or argv[1] not in ("pyproject", "installed"):
        print(__doc__, file=sys.stderr)
        return 2
    extras = {e.strip() for e in (argv[2] if len(argv) == 3 else "").split(",") if e.strip()}
    problems = (check_pyproject if argv[1] == "pyproject" else check_installed)(extras)
    for problem in problems:
        print(f"lockcheck: {problem}", file=sys.stderr)
    if problems:
        print(f"lockcheck: the lock does not cover pyproject.toml: {FIX}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
