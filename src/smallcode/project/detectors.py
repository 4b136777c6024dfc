"""Per-ecosystem detection of runtime, package manager, framework, entry point, build and test.

Each ``detect_*`` looks at one folder (no recursion beyond a few well-known places) and
returns a :class:`Detection` or None. They only read small files and never run anything.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Detection:
    ecosystem: str  # python | node | go | rust | java | c | c++
    runtime: str = ""
    package_manager: str = ""
    framework: str = ""
    entry_point: str = ""
    build_command: str = ""
    test_command: str = ""
    notes: list[str] = field(default_factory=list)
    strong: bool = True  # a manifest (pyproject, package.json, go.mod...) rather than loose files
    source_exts: tuple[str, ...] = ()


def read_text(path: Path, limit: int = 200_000) -> str:
    try:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            return fh.read(limit)
    except OSError:
        return ""


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_text(path))
    except (tomllib.TOMLDecodeError, ValueError):
        return {}


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_text(path))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def first_existing(root: Path, names: list[str]) -> str:
    for name in names:
        if (root / name).exists():
            return name
    return ""


# ----------------------------------------------------------------------------- Makefile

_MAKE_TARGET = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-/]*)\s*:(?!=)", re.M)


def makefile_targets(root: Path) -> list[str]:
    name = first_existing(root, ["GNUmakefile", "Makefile", "makefile"])
    if not name:
        return []
    targets: list[str] = []
    for m in _MAKE_TARGET.finditer(read_text(root / name)):
        t = m.group(1)
        if "%" in t or t.startswith(".") or t in targets:
            continue
        targets.append(t)
    return targets


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
    engines = pkg.get("engines") if isinstance(pkg.get("engines"), dict) else {}
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

    scripts = pkg.get("scripts") if isinstance(pkg.get("scripts"), dict) else {}
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


# ----------------------------------------------------------------------------- Go

_GO_FRAMEWORKS = [
    ("github.com/gin-gonic/gin", "Gin"),
    ("github.com/labstack/echo", "Echo"),
    ("github.com/gofiber/fiber", "Fiber"),
    ("github.com/go-chi/chi", "chi"),
    ("github.com/gorilla/mux", "gorilla/mux"),
    ("github.com/spf13/cobra", "Cobra CLI"),
]


def detect_go(root: Path) -> Detection | None:
    work = (root / "go.work").is_file()
    if not (root / "go.mod").is_file() and not work:
        return None
    text = read_text(root / "go.mod")
    d = Detection("go", runtime="go", package_manager="go modules", source_exts=(".go",))
    m = re.search(r"^go\s+(\S+)", text, re.M)
    if m:
        d.runtime = f"go {m.group(1)}"
    mod = re.search(r"^module\s+(\S+)", text, re.M)
    if mod:
        d.notes.append(f"module {mod.group(1)}")
    if work:
        d.notes.append("go.work workspace")
    for key, label in _GO_FRAMEWORKS:
        if key in text:
            d.framework = label
            break
    d.build_command = "go build ./..."
    d.test_command = "go test ./..."
    if (root / "main.go").is_file():
        d.entry_point = "main.go"
    else:
        mains = sorted((root / "cmd").glob("*/main.go")) if (root / "cmd").is_dir() else []
        if mains:
            d.entry_point = mains[0].relative_to(root).as_posix()
    return d


# ----------------------------------------------------------------------------- Rust

_RUST_FRAMEWORKS = [
    ("axum", "axum"),
    ("actix-web", "actix-web"),
    ("rocket", "Rocket"),
    ("warp", "warp"),
    ("bevy", "Bevy"),
    ("tauri", "Tauri"),
    ("clap", "clap CLI"),
    ("tokio", "tokio"),
]


def detect_rust(root: Path) -> Detection | None:
    if not (root / "Cargo.toml").is_file():
        return None
    cargo = read_toml(root / "Cargo.toml")
    d = Detection("rust", runtime="rust", package_manager="cargo", source_exts=(".rs",))
    package = cargo.get("package") if isinstance(cargo.get("package"), dict) else {}
    if package.get("edition"):
        d.runtime = f"rust (edition {package['edition']})"
    deps: dict[str, Any] = {}
    workspace = cargo.get("workspace") if isinstance(cargo.get("workspace"), dict) else None
    for table in (cargo, (workspace or {})):
        for key in ("dependencies", "dev-dependencies"):
            if isinstance(table.get(key), dict):
                deps.update(table[key])
    members: list[str] = []
    if workspace is not None:
        members = [str(m) for m in workspace.get("members") or []]
        d.notes.append(
            "cargo workspace: " + ", ".join(members[:6]) if members else "cargo workspace"
        )
        for member in members:
            for sub in root.glob(member):
                sub_cargo = read_toml(sub / "Cargo.toml")
                if isinstance(sub_cargo.get("dependencies"), dict):
                    deps.update(sub_cargo["dependencies"])
    for key, label in _RUST_FRAMEWORKS:
        if key in deps:
            d.framework = label
            break
    flag = " --workspace" if workspace is not None else ""
    d.build_command = f"cargo build{flag}"
    d.test_command = f"cargo test{flag}"
    bins = cargo.get("bin") if isinstance(cargo.get("bin"), list) else []
    if bins and isinstance(bins[0], dict) and bins[0].get("path"):
        d.entry_point = str(bins[0]["path"])
    else:
        d.entry_point = first_existing(root, ["src/main.rs", "src/lib.rs"])
        if not d.entry_point:
            for member in members:
                for sub in sorted(root.glob(member)):
                    found = first_existing(sub, ["src/main.rs"])
                    if found:
                        d.entry_point = (sub / found).relative_to(root).as_posix()
                        break
                if d.entry_point:
                    break
    return d


# ----------------------------------------------------------------------------- Java


def detect_java(root: Path) -> Detection | None:
    pom = root / "pom.xml"
    gradle = first_existing(root, ["build.gradle.kts", "build.gradle"])
    if not pom.is_file() and not gradle:
        return None
    d = Detection("java", runtime="java", source_exts=(".java", ".kt"))
    if pom.is_file():
        text = read_text(pom)
        d.package_manager = "maven"
        mvn = "./mvnw" if (root / "mvnw").is_file() else "mvn"
        d.build_command = f"{mvn} -q package"
        d.test_command = f"{mvn} test"
        m = re.search(
            r"<(?:maven\.compiler\.(?:source|release)|java\.version|release)>\s*([\d.]+)", text
        )
        if m:
            d.runtime = f"java {m.group(1)}"
        if "<module>" in text:
            mods = re.findall(r"<module>\s*([^<\s]+)\s*</module>", text)
            d.notes.append("maven modules: " + ", ".join(mods[:6]))
    else:
        text = read_text(root / gradle)
        d.package_manager = "gradle" + (" (Kotlin DSL)" if gradle.endswith(".kts") else "")
        gw = "./gradlew" if (root / "gradlew").is_file() else "gradle"
        d.build_command = f"{gw} build"
        d.test_command = f"{gw} test"
        m = re.search(
            r"languageVersion\.set\(JavaLanguageVersion\.of\((\d+)\)\)|"
            r"languageVersion\s*=\s*JavaLanguageVersion\.of\((\d+)\)|"
            r"sourceCompatibility\s*=\s*['\"]?(?:JavaVersion\.VERSION_)?([\d._]+)",
            text,
        )
        if m:
            d.runtime = f"java {next(g for g in m.groups() if g).replace('_', '.')}"
        settings_name = first_existing(root, ["settings.gradle.kts", "settings.gradle"])
        settings = read_text(root / settings_name) if settings_name else ""
        subs = re.findall(r"include\s*\(?\s*['\"]:?([^'\"]+)['\"]", settings)
        if subs:
            d.notes.append("gradle subprojects: " + ", ".join(subs[:6]))
    if "spring-boot" in text:
        d.framework = "Spring Boot"
    elif "quarkus" in text:
        d.framework = "Quarkus"
    elif "micronaut" in text:
        d.framework = "Micronaut"
    if "junit" in text.lower():
        d.notes.append("tests: JUnit")
    d.entry_point = _java_main(root)
    return d


def _java_main(root: Path) -> str:
    base = root / "src" / "main"
    if not base.is_dir():
        return ""
    candidates = sorted(base.rglob("*Application.java")) + sorted(base.rglob("Main.java"))
    for p in candidates[:10]:
        if "static void main" in read_text(p, 50_000):
            return p.relative_to(root).as_posix()
    for p in sorted(base.rglob("*.java"))[:200]:
        if "static void main" in read_text(p, 50_000):
            return p.relative_to(root).as_posix()
    return ""


# ----------------------------------------------------------------------------- C / C++

_CPP_EXTS = (".cpp", ".cc", ".cxx", ".hpp", ".hh")


def detect_c(root: Path) -> Detection | None:
    cmake = root / "CMakeLists.txt"
    make = first_existing(root, ["GNUmakefile", "Makefile", "makefile"])
    sources = [
        p
        for pattern in ("*.c", "*.cpp", "*.cc", "*.cxx", "*.h", "*.hpp")
        for p in (*root.glob(pattern), *root.glob(f"src/{pattern}"))
    ]
    if not cmake.is_file() and not (make and sources) and not (root / "meson.build").is_file():
        return None
    text = read_text(cmake)
    is_cpp = (
        any(p.suffix in _CPP_EXTS for p in sources)
        or bool(re.search(r"project\s*\([^)]*\bCXX\b", text))
        or "CMAKE_CXX_STANDARD" in text
    )
    d = Detection(
        "c++" if is_cpp else "c",
        runtime="c++" if is_cpp else "c",
        source_exts=(".c", ".h", *_CPP_EXTS),
    )
    std = re.search(r"CMAKE_CXX_STANDARD\s+(\d+)", text)
    if std:
        d.runtime = f"c++{std.group(1)}"
    if cmake.is_file():
        d.package_manager = "cmake"
        d.build_command = "cmake -S . -B build && cmake --build build"
        if "enable_testing" in text or "add_test" in text or "gtest_discover_tests" in text:
            d.test_command = "ctest --test-dir build --output-on-failure"
        exe = re.search(r"add_executable\s*\(\s*([\w.-]+)\s+([^)\s]+)", text)
        if exe:
            d.entry_point = f"{exe.group(2)} (target {exe.group(1)})"
    elif (root / "meson.build").is_file():
        d.package_manager = "meson"
        d.build_command = "meson setup build && meson compile -C build"
        d.test_command = "meson test -C build"
    else:
        d.package_manager = "make"
        targets = makefile_targets(root)
        d.build_command = "make"
        for t in ("test", "check"):
            if t in targets:
                d.test_command = f"make {t}"
                break
    for key, label in (("gtest", "GoogleTest"), ("GTest", "GoogleTest"), ("Catch2", "Catch2")):
        if key in text:
            d.notes.append(f"tests: {label}")
            break
    if not d.entry_point:
        d.entry_point = first_existing(
            root, ["main.c", "main.cpp", "src/main.c", "src/main.cpp", "src/main.cc"]
        )
    return d


DETECTORS = (detect_python, detect_node, detect_go, detect_rust, detect_java, detect_c)
