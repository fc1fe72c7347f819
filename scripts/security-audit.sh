#!/usr/bin/env bash
# Static security analysis and dependency audit (run by .ci/run after the tests).
#
# Expects the test environment (scripts/test.sh installs it).
# 1. bandit over the product's code: any HIGH-severity finding fails. Findings that were reviewed
#    carry `# nosec <id> - reason` on their line; medium/low ones are listed for information.
# 2. pip-audit over the installed dependencies (the project itself excluded): a known
#    vulnerability fails, unless its id is listed with a reason in .ci/pip-audit-ignore.txt.
#    pip-audit needs a vulnerability service (PyPI's JSON API or OSV). When it cannot reach one,
#    it says so plainly and lists how many packages went unaudited: that is NOT a clean result.
#    PLNENI_AUDIT_STRICT=1 turns "not audited" into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "--- bandit (fails on high severity) ---"
.venv/bin/bandit -q -r web workflow forms notifications wsgi.py gunicorn.conf.py --severity-level low \
  --format txt --exit-zero | grep -E "^>> Issue|Severity:|Location:" | paste - - - || true
.venv/bin/bandit -q -r web workflow forms notifications wsgi.py gunicorn.conf.py --severity-level high
echo "bandit: no high-severity finding"

echo "--- pip-audit (known vulnerabilities of the installed dependencies) ---"
ignores=()
if [ -f .ci/pip-audit-ignore.txt ]; then
  while read -r id _; do
    [ -n "$id" ] && [ "${id:0:1}" != "#" ] && ignores+=(--ignore-vuln "$id")
  done <.ci/pip-audit-ignore.txt
fi
report="$(mktemp)"; trap 'rm -f "$report"' EXIT
set +e
.venv/bin/pip-audit --skip-editable --progress-spinner off --format json --output "$report" \
  "${ignores[@]}" 2>"$report.err"
status=$?
set -e
.venv/bin/python - "$report" "$status" "$report.err" <<'PY'
import json, os, sys
path, status, err_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
err = open(err_path, encoding="utf-8", errors="replace").read()
os.unlink(err_path)
strict = os.environ.get("PLNENI_AUDIT_STRICT") == "1"
try:
    data = json.load(open(path, encoding="utf-8"))
except (OSError, ValueError):
    last = (err.strip().splitlines() or ["(no output)"])[-1]
    print(f"pip-audit: NOT AUDITED – the vulnerability service could not be reached ({last[:200]})")
    sys.exit(1 if strict else 0)
deps = data.get("dependencies", [])
vulnerable = [d for d in deps if d.get("vulns")]
skipped = [d for d in deps if d.get("skip_reason")]
for dep in vulnerable:
    for vuln in dep["vulns"]:
        fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
        print(f"VULNERABLE {dep['name']} {dep.get('version')}: {vuln['id']} (fixed in {fixes})")
audited = len(deps) - len(skipped)
print(f"pip-audit: {len(deps)} packages, {audited} audited, {len(skipped)} not audited, "
      f"{sum(len(d['vulns']) for d in vulnerable)} known vulnerabilities")
if skipped:
    reasons = sorted({d["skip_reason"].split(":")[0] for d in skipped})
    print(f"pip-audit: NOT AUDITED {len(skipped)} packages: {'; '.join(reasons)} "
          "(is the vulnerability service reachable from this machine?)")
if vulnerable:
    sys.exit(1)
if skipped and strict:
    sys.exit(1)
PY
