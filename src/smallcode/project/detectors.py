"""Per-ecosystem detection of runtime, package manager, framework, entry point, build and test.

Each ``detect_*`` looks at one folder (no recursion beyond a few well-known places) and
returns a :class:`Detection` or None. They only read small files and never run anything.
This module holds Python and Node; ``detectors_compiled`` holds Go, Rust, Java and C/C++.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from smallcode.project.detectors_base import (
    Detection,
    first_existing,
    makefile_targets,
    read_json,
    read_text,
    read_toml,
    sub_dict,
)
from smallcode.project.detectors_compiled import detect_c, detect_go, detect_java, detect_rust

__all__ = ["DETECTORS", "Detection", "first_existing", "makefile_targets"]


# ----------------------------------------------------------------------------- Python

_PY_FRAMEWORKS = [
    ("django", "Django"),
    ("fastapi", "FastAPI"),
    ("flask", "Flask"),
    ("starlette", "Starlette"),
    ("streamlit", "Streamlit"),
    ("aiohttp", "aiohttp"),
    ("typer", "Typer CLI"),
    ("click", "Click CLI"),
]


def _dep_names(items: Any) -> list[str]:
    out = []
    for item in items or []:
        if isinstance(item, str):
            name = re.split(r"[\s<>=!~\[;(]", item.strip(), maxsplit=1)[0]
            if name:
                out.append(name.lower())
    return out


def detect_python(root: Path) -> Detection | None:
    pyproject = read_toml(root / "pyproject.toml") if (root / "pyproject.toml").is_file() else {}
    has_manifest = bool(pyproject) or any(
        (root / n).is_file() for n in ("setup.py", "setup.cfg", "Pipfile")
    )
    reqs = sorted(p.name for p in root.glob("requirements*.txt"))
    loose = [p.name for p in root.glob("*.py")]
    if not has_manifest and not reqs and not loose:
        return None
    d = Detection("python", runtime="python", strong=has_manifest or bool(reqs))
    d.source_exts = (".py",)
    project = pyproject.get("project", {}) if isinstance(pyproject.get("project"), dict) else {}
    tool = pyproject.get("tool", {}) if isinstance(pyproject.get("tool"), dict) else {}
    if project.get("requires-python"):
        d.runtime = f"python {project['requires-python']}"
    elif (root / ".python-version").is_file():
        d.runtime = f"python {read_text(root / '.python-version').strip().splitlines()[0]}"

    deps = _dep_names(project.get("dependencies"))
    for group in (project.get("optional-dependencies") or {}).values():
        deps += _dep_names(group)
    for group in (pyproject.get("dependency-groups") or {}).values():
        deps += _dep_names(group)
    poetry = tool.get("poetry", {}) if isinstance(tool.get("poetry"), dict) else {}
    for key in ("dependencies", "dev-dependencies"):
        deps += [k.lower() for k in (poetry.get(key) or {})]
    for grp in (poetry.get("group") or {}).values():
        if isinstance(grp, dict):
            deps += [k.lower() for k in (grp.get("dependencies") or {})]
    for r in reqs:
        deps += _dep_names(read_text(root / r).splitlines())
    if (root / "Pipfile").is_file():
        deps += [
            m.lower()
            for m in re.findall(r"^([A-Za-z0-9_.-]+)\s*=", read_text(root / "Pipfile"), re.M)
        ]

    # package manager and the prefix that runs tools inside its environment
    if (root / "uv.lock").is_file() or "uv" in tool:
        d.package_manager, run, build = "uv", "uv run ", "uv build"
    elif (root / "poetry.lock").is_file() or poetry:
        d.package_manager, run, build = "poetry", "poetry run ", "poetry build"
    elif (root / "pdm.lock").is_file() or "pdm" in tool:
        d.package_manager, run, build = "pdm", "pdm run ", "pdm build"
    elif (root / "Pipfile").is_file():
        d.package_manager, run, build = "pipenv", "pipenv run ", ""
    elif "hatch" in tool and (root / "hatch.toml").is_file():
        d.package_manager, run, build = "hatch", "hatch run ", "hatch build"
    else:
        d.package_manager = "pip (requirements)" if reqs and not pyproject else "pip"
        run = ""
        build = "python -m build" if pyproject.get("build-system") else ""
    d.build_command = build

    for key, label in _PY_FRAMEWORKS:
        if key in deps:
            d.framework = label
            break
    if not d.framework and (root / "manage.py").is_file():
        d.framework = "Django"

    # tests
    pytest_cfg = (
        "pytest" in tool
        or (root / "pytest.ini").is_file()
        or (root / "conftest.py").is_file()
        or (root / "tests" / "conftest.py").is_file()
        or "[tool:pytest]" in read_text(root / "setup.cfg")
        or "[pytest]" in read_text(root / "tox.ini")
        or "pytest" in deps
    )
    if pytest_cfg:
        d.test_command = f"{run}pytest" if run else "python -m pytest"
    elif d.framework == "Django" and (root / "manage.py").is_file():
        d.test_command = f"{run}python manage.py test"
    elif _has_unittest(root):
        d.test_command = f"{run}python -m unittest discover"
        d.notes.append("tests: unittest")

    # entry point
    scripts = project.get("scripts") or poetry.get("scripts") or {}
    if isinstance(scripts, dict) and scripts:
        name, target = next(iter(scripts.items()))
        d.entry_point = f"{name} = {target}" if isinstance(target, str) else name
    else:
        d.entry_point = first_existing(
            root, ["manage.py", "main.py", "app.py", "run.py", "__main__.py", "cli.py"]
        ) or _python_main_module(root)
    return d


def _has_unittest(root: Path) -> bool:
    for folder in (root / "tests", root / "test", root):
        if not folder.is_dir():
            continue
        for p in list(folder.glob("test*.py"))[:20]:
            if "unittest" in read_text(p, 20_000):
                return True
    return False


def _python_main_module(root: Path) -> str:
    for base in (root / "src", root):
        if not base.is_dir():
            continue
        for main in sorted(base.glob("*/__main__.py")):
            return main.relative_to(root).as_posix()
    return ""


# ----------------------------------------------------------------------------- Node

_NODE_FRAMEWORKS = [
    ("next", "Next.js"),
    ("nuxt", "Nuxt"),
    ("@remix-run/react", "Remix"),
    ("@sveltejs/kit", "SvelteKit"),
    ("@nestjs/core", "NestJS"),
    ("@angular/core", "Angular"),
    ("express", "Express"),
    ("fastify", "Fastify"),
    ("koa", "Koa"),
    ("hono", "Hono"),
]
_NO_TEST = "no test specified"


def detect_node(root: Path) -> Detection | None:
    pkg_path = root / "package.json"
    if not pkg_path.is_file():
        return None
    pkg = read_json(pkg_path)
    d = Detection("node", runtime="node", source_exts=(".js", ".jsx", ".ts", ".tsx", ".mjs"))
    engines = sub_dict(pkg, "engines")
    if engines.get("node"):
        d.runtime = f"node {engines['node']}"
    if (root / "tsconfig.json").is_file():
        d.runtime += " (TypeScript)"

    declared = str(pkg.get("packageManager") or "").split("@")[0]
    if declared in ("npm", "pnpm", "yarn", "bun"):
        pm = declared
    elif (root / "pnpm-lock.yaml").is_file() or (root / "pnpm-workspace.yaml").is_file():
        pm = "pnpm"
    elif (root / "yarn.lock").is_file():
        pm = "yarn"
    elif (root / "bun.lockb").is_file() or (root / "bun.lock").is_file():
        pm = "bun"
    else:
        pm = "npm"
    d.package_manager = pm
    if pm == "bun":
        d.runtime = d.runtime.replace("node", "bun", 1)
    run = "npm run" if pm == "npm" else f"{pm} run"

    deps: dict[str, Any] = {}
    for key in ("dependencies", "devDependencies", "peerDependencies"):
        if isinstance(pkg.get(key), dict):
            deps.update(pkg[key])
    for key, label in _NODE_FRAMEWORKS:
        if key in deps:
            d.framework = label
            break
    if not d.framework and "vite" in deps:
        lib = next((n for n in ("react", "vue", "svelte", "solid-js", "preact") if n in deps), "")
        d.framework = "Vite" + (
            {"solid-js": "/Solid"}.get(lib, f"/{lib.capitalize()}") if lib else ""
        )
        if lib == "react":
            d.framework = "Vite/React"
    elif not d.framework and "react" in deps:
        d.framework = "React"

    scripts = sub_dict(pkg, "scripts")
    tester = next((t for t in ("vitest", "jest", "mocha", "ava", "playwright") if t in deps), "")
    test_script = str(scripts.get("test", ""))
    if test_script and _NO_TEST not in test_script:
        d.test_command = "npm test" if pm == "npm" else f"{pm} test"
        if not tester:
            tester = next(
                (t for t in ("vitest", "jest", "mocha", "node --test") if t in test_script), ""
            )
    elif tester == "vitest":
        d.test_command = f"{_npx(pm)} vitest run"
    elif tester:
        d.test_command = f"{_npx(pm)} {tester}"
    if tester:
        d.notes.append(f"tests: {tester}")
    if "build" in scripts:
        d.build_command = f"{run} build"
    elif (root / "tsconfig.json").is_file():
        d.build_command = f"{_npx(pm)} tsc"

    if isinstance(pkg.get("bin"), dict) and pkg["bin"]:
        d.entry_point = str(next(iter(pkg["bin"].values())))
    elif isinstance(pkg.get("bin"), str):
        d.entry_point = pkg["bin"]
    elif isinstance(pkg.get("main") or pkg.get("module"), str):
        d.entry_point = pkg.get("main") or pkg["module"]
    elif d.framework == "Next.js":
        d.entry_point = first_existing(root, ["app", "src/app", "pages", "src/pages"]) + "/"
    else:
        d.entry_point = first_existing(
            root,
            [
                "src/main.tsx",
                "src/main.ts",
                "src/index.ts",
                "src/index.js",
                "index.js",
                "server.js",
                "app.js",
                "src/main.jsx",
                "index.html",
            ],
        )
    for script in ("dev", "start"):
        if script in scripts:
            d.notes.append(f"run: {run} {script}")
            break
    if pkg.get("workspaces") or (root / "pnpm-workspace.yaml").is_file():
        d.notes.append("workspaces")
    return d


def _npx(pm: str) -> str:
    return {"npm": "npx", "pnpm": "pnpm exec", "yarn": "yarn", "bun": "bunx"}.get(pm, "npx")


DETECTORS = (detect_python, detect_node, detect_go, detect_rust, detect_java, detect_c)
