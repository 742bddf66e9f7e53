#!/usr/bin/env bash
# Make a repository with a long history where every commit adds a news fragment: the worst
# case for the consumed-fragment history walk (`src/git/removals.rs`), which looks at every
# commit of HEAD's history. Usage:
#
#     scripts/make-history.sh DIR [COMMITS] [RELEASE_EVERY]
#
# DIR (created, must not exist) gets the 26.2.0 fixture's configuration and changelog, then
# COMMITS commits (default 5000) that each add `changes/<n>.fix.md`; every RELEASE_EVERY-th
# commit (default 100) is a release: it removes the fragments added since the last one and
# writes a section for them into CHANGELOG.md (below the fixture's own releases, so HEAD's
# changelog still holds every one of them). The last commit adds the fixture's fragments,
# so `git release 26.2.0 --dry-run` runs in DIR as in the fixture.
#
# Written with `git fast-import`, whose pack stores each tree as a delta against the one
# before it (the worst layout for a walk from the newest commit). REPACK=1 repacks with
# git's own delta choices (`git repack -adf`: newer objects whole, as a clone receives
# them); GRAPH=1 also writes the commit-graph file (`git gc` does by default).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fixture="$root/tests/fixtures/backend-ai/26.2.0/before"
dir="${1:?usage: make-history.sh DIR [COMMITS] [RELEASE_EVERY]}"
commits="${2:-5000}"
every="${3:-100}"
[[ ! -e "$dir" ]] || { echo "$dir exists" >&2; exit 1; }

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
git init -q -b main "$dir"
git -C "$dir" config user.name bench
git -C "$dir" config user.email bench@example.com
python3 - "$fixture" "$commits" "$every" <<'PY' | git -C "$dir" fast-import --quiet
import os, sys

fixture, commits, every = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = sys.stdout.buffer



def modify(path, data):
    out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))


def commit(n, message, ops):
    when = 1_600_000_000 + n * 600
    msg = message.encode()
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer bench <bench@example.com> %d +0000\n" % when)
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    for op in ops:
        op()


def read(path):
    with open(os.path.join(fixture, path), "rb") as f:
        return f.read()


changelog = read("CHANGELOG.md")
# The synthetic releases go below the fixture's own, before its last ("24.03 and earlier").
cut = changelog.rindex(b"\n## 24.03 and earlier")
head, tail = changelog[: cut + 1], changelog[cut + 1 :]
sections = []  # newest first


def log():
    return head + b"".join(sections) + tail


commit(0, "start", [
    lambda: modify("pyproject.toml", read("pyproject.toml")),
    lambda: modify("VERSION", b"0.0.1\n"),
    lambda: modify("CHANGELOG.md", log()),
])
pending = []
release = 0
for n in range(1, commits + 1):
    if n % every == 0 and pending:
        release += 1
        entries = b"".join(b"* Synthetic fix %d ([#%d](https://example.com/%d))\n" % (k, k, k)
                           for k in pending)
        sections.insert(0, b"## 0.%d.0 (2020-01-01)\n\n### Fixes\n%s\n\n" % (release, entries))
        gone = [f"changes/{k}.fix.md" for k in pending]
        pending = []
        text = log()
        commit(n, f"release 0.{release}.0", [
            *[(lambda p=p: out.write(b"D %s\n" % p.encode())) for p in gone],
            lambda t=text: modify("CHANGELOG.md", t),
        ])
    else:
        k = 100000 + n
        pending.append(k)
        commit(n, f"fix {k}", [
            lambda k=k: modify(f"changes/{k}.fix.md", b"Synthetic fix %d\n" % k),
        ])
names = sorted(os.listdir(os.path.join(fixture, "changes")))
commit(commits + 1, "the fixture's fragments", [
    lambda: modify("VERSION", read("VERSION")),
    *[(lambda f=f: modify(f"changes/{f}", read(f"changes/{f}"))) for f in names],
])
PY
git -C "$dir" reset -q --hard main
if [[ "${REPACK:-}" == 1 ]]; then
    git -C "$dir" repack -adfq
fi
if [[ "${GRAPH:-}" == 1 ]]; then
    git -C "$dir" commit-graph write --reachable
fi
echo "$dir: $(git -C "$dir" rev-list --count HEAD) commits, $(ls "$dir/changes" | wc -l) fragments"
