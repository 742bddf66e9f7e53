#!/usr/bin/env python3
"""Differential testing of `git release build` against the real towncrier.

Each folder under tests/fixtures/towncrier-cases/ is one case:

    input/           the project: pyproject.toml or towncrier.toml, fragments, templates,
                     maybe a changelog. It is copied into a fresh git repository (all files
                     committed) for each run.
    case.toml        optional: version (default 1.2.0), date (2025-06-01), name (none:
                     --name is not passed).
    expected.md|rst  what `towncrier build --draft` prints (the extension follows the
                     configured changelog file name).
    expected-error.txt   instead, when towncrier refuses the case (git-release must fail too).
    refused-by-git-release.txt   written by hand, for what git-release refuses by name where
                     towncrier prints something it cannot reproduce (an address, a random
                     choice) or refuses too: the text the error must contain. The
                     expectations beside it are still towncrier's.
    expected-write-error.txt   when the draft works but `build --yes` is refused (the version's
                     section is already there): the draft is compared, and git-release must
                     refuse the write (exit 3) and change nothing.
    expected-tree.txt    the files left after `towncrier build --yes` (fragments removed).
    expected-write/  the files that `towncrier build --yes` created or changed.

Usage:
    scripts/towncrier-diff.py [CASE...]                compare git-release with towncrier live
    scripts/towncrier-diff.py --regenerate [CASE...]   rewrite the expected files with towncrier

towncrier is taken from $TOWNCRIER, else /work/.venv-towncrier/bin/towncrier, else PATH
(`python3 -m venv v && v/bin/pip install towncrier==26.9.0` makes one). git-release is
target/debug/git-release (built first) unless --bin is given. The Rust test
tests/towncrier_cases.rs checks the stored expectations without Python.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "fixtures" / "towncrier-cases"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "GIT_EDITOR": "true",
}


def find_towncrier() -> str:
    for candidate in (os.environ.get("TOWNCRIER"), "/work/.venv-towncrier/bin/towncrier", shutil.which("towncrier")):
        if candidate and Path(candidate).exists():
            return candidate
    sys.exit("towncrier not found: set $TOWNCRIER or install towncrier==26.9.0")


def case_settings(case: Path) -> dict:
    settings = {"version": "1.2.0", "date": "2025-06-01", "name": None}
    if (case / "case.toml").exists():
        settings.update(tomllib.loads((case / "case.toml").read_text()))
    return settings


def changelog_ext(case: Path) -> str:
    for conf in ("towncrier.toml", "pyproject.toml"):
        p = case / "input" / conf
        if p.exists():
            filename = tomllib.loads(p.read_text()).get("tool", {}).get("towncrier", {}).get("filename", "NEWS.rst")
            return ".md" if filename.endswith(".md") else ".rst"
    return ".md"


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


def run(case: Path, tool: str, towncrier: str, binary: str) -> dict:
    """Run the draft and the real build of one case with towncrier or git-release."""
    s = case_settings(case)
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        shutil.copytree(case / "input", repo)
        env = {**os.environ, **GIT_ENV}
        env.pop("SOURCE_DATE_EPOCH", None)
        for cmd in (["init", "-q", "."], ["add", "-A"], ["commit", "-qm", "before"]):
            subprocess.run(["git", *cmd], cwd=repo, env=env, check=True)
        before = snapshot(repo)
        name = ["--name", s["name"]] if s["name"] is not None else []
        if tool == "towncrier":
            draft = [towncrier, "build", "--draft", "--version", s["version"], "--date", s["date"], *name]
            write = [towncrier, "build", "--yes", "--version", s["version"], "--date", s["date"], *name]
        else:
            draft = [binary, "build", s["version"], "--draft", "--date", s["date"], *name]
            write = [binary, "build", s["version"], "--date", s["date"], *name]
        p = subprocess.run(draft, cwd=repo, env=env, capture_output=True)
        result["draft_ok"] = p.returncode == 0
        # Error output names the temporary repository; keep it stable.
        result["draft"] = p.stdout.decode() if p.returncode == 0 else (p.stdout + p.stderr).decode().replace(str(repo), "<repo>")
        if p.returncode == 0:
            p = subprocess.run(write, cwd=repo, env=env, capture_output=True)
            if p.returncode != 0:
                lines = (p.stdout + p.stderr).decode().strip().splitlines()
                result["write_error"] = lines[-1] if lines else ""
            after = snapshot(repo)
            result["tree"] = "".join(f"{k}\n" for k in after)
            result["written"] = {k: v for k, v in after.items() if before.get(k) != v}
    return result


def expected(case: Path) -> dict:
    ext = changelog_ext(case)
    result = {}
    if (case / "expected-error.txt").exists():
        result["draft_ok"] = False
        return result
    result["draft_ok"] = True
    result["draft"] = (case / f"expected{ext}").read_text()
    if (case / "expected-write-error.txt").exists():
        result["write_error"] = (case / "expected-write-error.txt").read_text().strip()
        return result
    result["tree"] = (case / "expected-tree.txt").read_text()
    written = case / "expected-write"
    result["written"] = {str(p.relative_to(written)): p.read_bytes() for p in sorted(written.rglob("*")) if p.is_file()}
    return result


def regenerate(case: Path, towncrier: str) -> None:
    r = run(case, "towncrier", towncrier, "")
    ext = changelog_ext(case)
    for old in ["expected.md", "expected.rst", "expected-error.txt", "expected-write-error.txt", "expected-tree.txt"]:
        (case / old).unlink(missing_ok=True)
    shutil.rmtree(case / "expected-write", ignore_errors=True)
    if not r["draft_ok"]:
        (case / "expected-error.txt").write_text(r["draft"])
        print(f"{case.name}: towncrier refuses it (expected-error.txt)")
        return
    (case / f"expected{ext}").write_text(r["draft"])
    if "write_error" in r:
        (case / "expected-write-error.txt").write_text(r["write_error"] + "\n")
        print(f"{case.name}: towncrier's draft works, its build is refused (expected-write-error.txt)")
        return
    (case / "expected-tree.txt").write_text(r["tree"])
    for rel, data in r["written"].items():
        out = case / "expected-write" / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    print(f"{case.name}: regenerated")


def compare(case: Path, towncrier: str, binary: str) -> bool:
    theirs = run(case, "towncrier", towncrier, binary)
    ours = run(case, "git-release", towncrier, binary)
    ok = True
    refusal = case / "refused-by-git-release.txt"
    if refusal.exists():
        needle = refusal.read_text().strip()
        if ours["draft_ok"] or needle not in ours["draft"]:
            print(f"FAIL {case.name}: git-release must refuse naming {needle!r}:")
            print(ours["draft"])
            return False
        print(f"ok   {case.name} (git-release refuses it by name; towncrier {'prints' if theirs['draft_ok'] else 'refuses'})")
        return True
    if theirs["draft_ok"] != ours["draft_ok"]:
        print(f"FAIL {case.name}: towncrier {'succeeds' if theirs['draft_ok'] else 'fails'}, git-release does not:")
        print(ours["draft"] if not ours["draft_ok"] else theirs["draft"])
        return False
    if not theirs["draft_ok"]:
        print(f"ok   {case.name} (both refuse)")
        return True
    if ("write_error" in theirs) != ("write_error" in ours):
        print(f"FAIL {case.name}: towncrier's build {'is refused' if 'write_error' in theirs else 'works'}, git-release's does not:")
        print(theirs.get("write_error") or ours.get("write_error"))
        return False
    if "write_error" in theirs:
        if theirs["draft"] != ours["draft"]:
            print(f"FAIL {case.name}: draft differs")
            sys.stdout.writelines(difflib.unified_diff(theirs["draft"].splitlines(True), ours["draft"].splitlines(True), "towncrier", "git-release"))
            return False
        print(f"ok   {case.name} (both refuse the write)")
        return True
    for key in ("draft", "tree"):
        if theirs[key] != ours[key]:
            ok = False
            print(f"FAIL {case.name}: {key} differs")
            sys.stdout.writelines(difflib.unified_diff(theirs[key].splitlines(True), ours[key].splitlines(True), "towncrier", "git-release"))
    if theirs["written"] != ours["written"]:
        ok = False
        print(f"FAIL {case.name}: written files differ")
        for rel in sorted(set(theirs["written"]) | set(ours["written"])):
            a = theirs["written"].get(rel, b"").decode(errors="replace").splitlines(True)
            b = ours["written"].get(rel, b"").decode(errors="replace").splitlines(True)
            sys.stdout.writelines(difflib.unified_diff(a, b, f"towncrier/{rel}", f"git-release/{rel}"))
    stored = expected(case) if any(case.glob("expected*")) else None
    if ok and stored is not None and any(stored.get(k) != theirs.get(k) for k in ("draft_ok", "draft", "tree", "written")):
        print(f"note {case.name}: the stored expectation is stale; run with --regenerate")
    if ok:
        print(f"ok   {case.name}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", help="case folder names (default: all)")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the expected files with towncrier")
    parser.add_argument("--bin", help="the git-release binary (default: build target/debug/git-release)")
    args = parser.parse_args()
    towncrier = find_towncrier()
    cases = [CASES / c for c in args.cases] if args.cases else sorted(p for p in CASES.iterdir() if (p / "input").is_dir())
    if args.regenerate:
        for case in cases:
            regenerate(case, towncrier)
        return
    binary = args.bin
    if binary is None:
        subprocess.run(["cargo", "build", "--quiet"], cwd=ROOT, check=True)
        binary = str(ROOT / "target" / "debug" / "git-release")
    failures = [c.name for c in cases if not compare(c, towncrier, binary)]
    print(f"{len(cases) - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
