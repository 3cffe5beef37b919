"""Dependency audit (run by `make audit`, and by CI before the tests): pip-audit over the pinned
Python requirements and npm audit over the front-end lock file.

It fails on a known vulnerability that is not explained in EXPLAINED below, and says LOUDLY when
it could not look a package up (an advisory database out of reach, or a registry mirror that does
not answer for a pinned version): an audit that could not run is reported, never passed in silence.

    .venv/bin/python tests/hardening/audit_dependencies.py
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Advisory id → why it does not affect Wardstock (reviewed; keep each one a sentence with a date).
EXPLAINED: dict[str, str] = {}
NPM_FAILING_SEVERITIES = ("high", "critical")


def python_audit() -> tuple[list[str], list[str]]:
    """(problems, not audited) for requirements.txt."""
    answer = subprocess.run(
        [str(ROOT / ".venv/bin/pip-audit"), "-r", "requirements.txt", "--no-deps", "--disable-pip",
         "--format", "json", "--progress-spinner", "off"], check=False,
        cwd=ROOT, capture_output=True, text=True,
    )
    try:
        report = json.loads(answer.stdout)
    except ValueError:
        return [], [f"pip-audit did not run: {answer.stderr.strip()[-300:]}"]
    problems, skipped = [], []
    for dependency in report["dependencies"]:
        if "skip_reason" in dependency:
            skipped.append(f"{dependency['name']}: {dependency['skip_reason']}")
        for vulnerability in dependency.get("vulns", []):
            if vulnerability["id"] not in EXPLAINED:
                fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fixed version yet"
                problems.append(f"{dependency['name']} {dependency['version']}: {vulnerability['id']} (fixed in {fixed})")
    return problems, skipped


def npm_audit() -> tuple[list[str], list[str]]:
    answer = subprocess.run(["npm", "audit", "--json", "--omit=dev"], check=False, cwd=ROOT, capture_output=True, text=True)
    try:
        report = json.loads(answer.stdout)
    except ValueError:
        return [], [f"npm audit did not answer: {answer.stderr.strip()[-300:]}"]
    if "error" in report:
        return [], [f"npm audit could not reach the advisory service: {report['error'].get('summary', report['error'])}"]
    problems = [
        f"{name}: {advisory.get('severity')} ({', '.join(str(v.get('url', v)) if isinstance(v, dict) else v for v in advisory.get('via', []))})"
        for name, advisory in report.get("vulnerabilities", {}).items()
        if advisory.get("severity") in NPM_FAILING_SEVERITIES and not set(map(str, advisory.get("via", []))) & set(EXPLAINED)
    ]
    return problems, []


def main() -> int:
    python_problems, python_skipped = python_audit()
    npm_problems, npm_skipped = npm_audit()
    for problem in python_problems + npm_problems:
        print(f"VULNERABLE  {problem}")
    skipped = python_skipped + npm_skipped
    if skipped:
        print(f"\n{'!' * 78}\nDEPENDENCY AUDIT INCOMPLETE: {len(skipped)} package(s) or tool(s) could not be checked:")
        for line in skipped[:10]:
            print(f"  - {line}")
        if len(skipped) > 10:
            print(f"  ... and {len(skipped) - 10} more")
        print(f"{'!' * 78}\n")
    problems = python_problems + npm_problems
    print(f"Dependency audit: {len(problems)} unexplained known vulnerabilit{'y' if len(problems) == 1 else 'ies'}, "
          f"{len(EXPLAINED)} explained, {len(skipped)} not checked.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
