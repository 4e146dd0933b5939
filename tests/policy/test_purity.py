"""wrp.policy is the law as plain Python: it imports nothing from Django (DESIGN.md §Stack)."""

import ast
import subprocess
import sys
from pathlib import Path

import wrp.policy

POLICY_DIR = Path(wrp.policy.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_of_the_policy_package_imports_django():
    offenders = {
        str(path.relative_to(POLICY_DIR)): sorted(name for name in _imported_modules(path) if name.split(".")[0] in
                                                  {"django", "ninja", "django_htmx"})
        for path in POLICY_DIR.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_importing_the_policy_and_assessing_loads_no_django():
    code = (
        "import sys, json, wrp.policy as p;"
        "p.assess(open(sys.argv[1]).read());"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja'))))"
    )
    example = Path(__file__).parents[1] / "contract" / "example_request.json"
    result = subprocess.run([sys.executable, "-c", code, str(example)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
