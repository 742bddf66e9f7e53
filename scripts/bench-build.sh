#!/usr/bin/env bash
# Whole-process timing of `git-release build --draft` against `towncrier build --draft` on
# the largest fixture (26.3.0rc1: 341 fragments), in a temporary git repository holding
# that fixture's before/ state. Prints both medians and the speed-up.
#
# $BASELINE (another git-release binary, e.g. one built from main) is timed in the same
# hyperfine run, for before/after figures measured side by side.
#
# Needs hyperfine (`apt-get install -y hyperfine`) and towncrier ($TOWNCRIER, else
# /work/.venv-towncrier/bin/towncrier, else PATH). Builds the release binary first unless
# $GIT_RELEASE points at one.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
fixture="$root/tests/fixtures/backend-ai/26.3.0rc1/before"
version=26.3.0rc1
date=2026-03-11

command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install -y hyperfine" >&2; exit 1; }
towncrier="${TOWNCRIER:-}"
if [[ -z "$towncrier" ]]; then
    if [[ -x /work/.venv-towncrier/bin/towncrier ]]; then towncrier=/work/.venv-towncrier/bin/towncrier
    else towncrier="$(command -v towncrier || true)"; fi
fi
[[ -n "$towncrier" ]] || { echo "towncrier is missing: set TOWNCRIER or pip install towncrier==26.9.0" >&2; exit 1; }
binary="${GIT_RELEASE:-}"
if [[ -z "$binary" ]]; then
    (cd "$root" && cargo build --release --quiet)
    binary="$root/target/release/git-release"
fi
binary="$(realpath "$binary")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$fixture/." "$work/"
# towncrier would import `package` to learn the project name; the fixture's drafts were
# made without it (see tests/fixtures/backend-ai/README.md).
sed -i '/^package = /d' "$work/pyproject.toml"
git -C "$work" init -q .
git -C "$work" add -A
git -C "$work" -c user.name=bench -c user.email=bench@example.com commit -qm before

# Both must print the same section before their speed means anything.
(cd "$work" && "$binary" build "$version" --draft --date "$date") > "$work/.ours"
(cd "$work" && "$towncrier" build --draft --version "$version" --date "$date" 2>/dev/null) > "$work/.theirs"
cmp -s "$work/.ours" "$work/.theirs" || { echo "outputs differ; not benchmarking" >&2; diff "$work/.theirs" "$work/.ours" | head >&2; exit 1; }
rm "$work/.ours" "$work/.theirs"

cd "$work"
baseline=()
if [[ -n "${BASELINE:-}" ]]; then
    baseline=(-n baseline "$(realpath "$BASELINE") build $version --draft --date $date")
fi
# The load is part of the figures: on a shared machine every wall time grows with it,
# the longer process's most.
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --warmup 3 --min-runs 20 --style basic --export-json "$work/.bench.json" \
    -n git-release "$binary build $version --draft --date $date" \
    "${baseline[@]}" \
    -n towncrier "$towncrier build --draft --version $version --date $date"
python3 - "$work/.bench.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
ours, theirs = results["git-release"]["median"], results["towncrier"]["median"]
# CPU time (user + system, means) as well: on a machine busy with other work the wall
# clock waits for a core, and the CPU time is the steadier figure.
cpu = {k: (r["user"] + r["system"]) * 1000 for k, r in results.items()}
print(f"median git-release: {ours * 1000:.2f} ms (cpu {cpu['git-release']:.2f} ms)")
print(f"median towncrier:   {theirs * 1000:.2f} ms (cpu {cpu['towncrier']:.2f} ms)")
print(f"git-release is {theirs / ours:.1f}x faster (cpu: {cpu['towncrier'] / cpu['git-release']:.1f}x)")
if "baseline" in results:
    base = results["baseline"]["median"]
    print(f"median baseline:    {base * 1000:.2f} ms (cpu {cpu['baseline']:.2f} ms; "
          f"{theirs / base:.1f}x, cpu: {cpu['towncrier'] / cpu['baseline']:.1f}x)")
PY
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
