#!/usr/bin/env bash
# Whole-process timing of `git release VERSION --dry-run` against `git status` in the same
# 13,000-file repository: the 26.2.0 fixture (a final release with an rc section and
# fragments to consolidate) plus 13,000 tracked source files in nested directories, as a
# large project's tree. Prints both medians and the ratio.
#
# Needs hyperfine (`apt-get install -y hyperfine`). Builds the release binary first unless
# $GIT_RELEASE points at one. FILES sets the number of extra files (default 13000).
# $BASELINE (another git-release binary, e.g. one built from main) is timed in the same
# hyperfine run, for before/after figures measured side by side.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fixture="$root/tests/fixtures/backend-ai/26.1.0/before"
files="${FILES:-13000}"

command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install -y hyperfine" >&2; exit 1; }
binary="${GIT_RELEASE:-}"
if [[ -z "$binary" ]]; then
    (cd "$root" && cargo build --release --quiet)
    binary="$root/target/release/git-release"
fi
binary="$(realpath "$binary")"

work="$(mktemp -d)"
out="$(mktemp -d)"  # outside the repository: the release refuses an untracked file
trap 'rm -rf "$work" "$out"' EXIT
cp -r "$fixture/." "$work/"
python3 - "$work" "$files" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "src", f"pkg{i % 50:02d}", f"mod{(i // 50) % 20:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"file{i:05d}.py"), "w") as f:
        f.write(f"# module {i}\nVALUE = {i}\n")
PY
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
git -C "$work" init -q -b main .
git -C "$work" add -A
git -C "$work" config user.name bench  # pre-flight refuses a release git could not commit
git -C "$work" config user.email bench@example.com
git -C "$work" commit -qm before
git -C "$work" status --porcelain | head -1 >/dev/null  # the index's stat cache is fresh

version=26.1.0
cd "$work"
"$binary" "$version" --dry-run --no-edit --date 2026-01-26 > /dev/null
baseline=()
if [[ -n "${BASELINE:-}" ]]; then
    baseline=(-n baseline "$(realpath "$BASELINE") $version --dry-run --no-edit --date 2026-01-26")
fi
# The load is part of the figures: on a shared machine every wall time grows with it,
# the longer process's most.
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine --warmup 3 --min-runs 20 --style basic --export-json "$out/bench.json" \
    -n "git status" "git status --porcelain" \
    -n "git release --dry-run" "$binary $version --dry-run --no-edit --date 2026-01-26" \
    "${baseline[@]}"
python3 - "$out/bench.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
ours, git = results["git release --dry-run"]["median"], results["git status"]["median"]
# CPU time (user + system, means, all threads) as well: the steadier figure on a busy machine.
cpu = {k: (r["user"] + r["system"]) * 1000 for k, r in results.items()}
print(f"median git status:            {git * 1000:.1f} ms (cpu {cpu['git status']:.1f} ms)")
print(f"median git release --dry-run: {ours * 1000:.1f} ms (cpu {cpu['git release --dry-run']:.1f} ms)")
print(f"ratio: {ours / git:.2f}x git status (cpu: {cpu['git release --dry-run'] / cpu['git status']:.2f}x)")
if "baseline" in results:
    base = results["baseline"]["median"]
    print(f"median baseline:              {base * 1000:.1f} ms ({base / git:.2f}x git status; "
          f"cpu {cpu['baseline']:.1f} ms, {cpu['baseline'] / cpu['git status']:.2f}x)")
PY
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
