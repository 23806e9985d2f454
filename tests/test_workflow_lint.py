"""The GitHub workflow passes actionlint (PyPI's packaged binary, requirements-dev.txt): expression
types against the matrix, the inputs each action's pinned major version takes, job and step syntax."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ACTIONLINT = Path(sys.executable).parent / "actionlint"


def test_the_workflows_pass_actionlint() -> None:
    workflows = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    assert workflows, "no workflow to check"
    result = subprocess.run([str(ACTIONLINT), "-no-color", *map(str, workflows)], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
