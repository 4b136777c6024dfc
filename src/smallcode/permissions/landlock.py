"""Landlock through ctypes: read where allowed, write only in the project, TCP off.

Used where bubblewrap cannot start (user namespaces blocked, e.g. by AppArmor on Ubuntu
24.04+ or in containers). Landlock needs no privileges: a process restricts itself and its
children for good (``PR_SET_NO_NEW_PRIVS`` first). It is an allow list, so a folder under a
writable one cannot be made read-only (``.git`` stays writable here; the rule check still
refuses writes into it), and from ABI 4 it governs TCP bind/connect only, not UDP.

Stdlib only: ``permissions/launcher.py`` runs it in a fresh interpreter with ``-S``.
"""

from __future__ import annotations

import ctypes
import os
import platform

SYS_CREATE_RULESET = 444  # the same on x86_64 and aarch64 (the unified syscall table)
SYS_ADD_RULE = 445
SYS_RESTRICT_SELF = 446
PR_SET_NO_NEW_PRIVS = 38
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1

READ = EXECUTE | READ_FILE | READ_DIR
FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE  # rights a rule on a file may carry


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class LandlockError(OSError):
    pass


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def abi_version() -> int:
    """The kernel's Landlock ABI (0 when unsupported, disabled or not Linux)."""
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "aarch64", "arm64"):
        return 0
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    v = libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), CREATE_RULESET_VERSION)
    return int(v) if v > 0 else 0


def _write_rights(abi: int) -> int:
    rights = (
        WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_CHAR | MAKE_DIR | MAKE_REG | MAKE_SOCK
        | MAKE_FIFO | MAKE_BLOCK | MAKE_SYM
    )  # fmt: skip
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    return rights


def restrict(read: list[str], write: list[str], network: bool) -> int:
    """Restrict this process (and what it starts) for good; returns the ABI used.

    ``read``: paths (folders or files) readable and executable; ``write``: paths also
    writable. ``network`` False blocks TCP connect and bind (ABI >= 4).
    """
    abi = abi_version()
    if abi < 1:
        raise LandlockError("Landlock is not available in this kernel")
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    libc.prctl.restype = ctypes.c_int
    write_rights = _write_rights(abi)
    attr = _RulesetAttr(READ | write_rights, 0)
    size = ctypes.sizeof(ctypes.c_uint64)
    if abi >= 4 and not network:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        size = ctypes.sizeof(_RulesetAttr)
    fd = libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if fd < 0:
        raise LandlockError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for paths, rights in ((read, READ), (write, READ | write_rights)):
            for path in paths:
                _add_path(libc, int(fd), path, rights)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise LandlockError(ctypes.get_errno(), "prctl(NO_NEW_PRIVS) failed")
        if libc.syscall(SYS_RESTRICT_SELF, int(fd), 0) != 0:
            raise LandlockError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(int(fd))
    return abi


def _add_path(libc: ctypes.CDLL, ruleset: int, path: str, rights: int) -> None:
    try:
        pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # gone meanwhile: nothing to allow
    try:
        if not os.path.isdir(path):
            rights &= FILE_ONLY
        rule = _PathBeneath(rights, pfd)
        if libc.syscall(SYS_ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
            err = ctypes.get_errno()
            raise LandlockError(err, f"landlock_add_rule failed for {path}: {os.strerror(err)}")
    finally:
        os.close(pfd)


def readable_roots(hidden: list[str]) -> list[str]:
    """Paths covering the whole file system except ``hidden`` ones (an allow list cannot
    subtract, so the folders on the way to a hidden path are split into their entries)."""
    hidden_set = {os.path.normpath(h) for h in hidden} | {os.path.realpath(h) for h in hidden}
    out: list[str] = []

    def covers(path: str) -> bool:
        prefix = path.rstrip("/") + "/"
        return path in hidden_set or any(h.startswith(prefix) for h in hidden_set)

    def grant(path: str) -> None:
        if path in hidden_set:
            return
        if os.path.islink(path):  # a rule follows the link: never to a hidden path
            if not covers(os.path.realpath(path)):
                out.append(path)
            return
        if not covers(path):
            out.append(path)
            return
        try:
            names = os.listdir(path)
        except OSError:
            return
        for name in names:
            grant(os.path.join(path, name))

    grant("/")
    return out
