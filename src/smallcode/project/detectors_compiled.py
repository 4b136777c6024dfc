"""Detectors for compiled ecosystems: Go, Rust, Java (Maven, Gradle), C and C++ (CMake, make)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from smallcode.project.detectors_base import (
    Detection,
    first_existing,
    makefile_targets,
    read_text,
    read_toml,
    sub_dict,
)

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
    package = sub_dict(cargo, "package")
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
