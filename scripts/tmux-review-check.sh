#!/bin/sh
# The review loop with a real terminal editor: runs `git release consolidate 26.1.0` on the
# Backend.AI 26.1.0 fixture inside tmux with GIT_EDITOR=vi, types a substitution and `:wq`
# as a person would, and checks that the changelog got the edited group title.
#
#   scripts/tmux-review-check.sh            # uses target/debug/git-release (built if missing)
#   GIT_RELEASE=path/to/git-release scripts/tmux-review-check.sh
#
# Skips (exit 0) when tmux or vi is missing; exits 1 when the check fails.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
for tool in tmux vi git; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "tmux-review-check: skipped ($tool not found)"
        exit 0
    fi
done

bin=${GIT_RELEASE:-$here/target/debug/git-release}
if [ ! -x "$bin" ]; then
    (cd "$here" && cargo build --quiet --bin git-release)
fi

work=$(mktemp -d)
socket="git-release-review-$$"
cleanup() {
    tmux -L "$socket" kill-server >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

repo=$work/repo
cp -r "$here/tests/fixtures/backend-ai/26.1.0/before" "$repo"
export HOME="$work" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
(
    cd "$repo"
    git init -q -b main .
    git config user.name "Review Check"
    git config user.email review-check@example.com
    git add -A
    git commit -q -m before
)

# The command, with its exit code recorded for the check below.
cat >"$work/run.sh" <<EOF
cd '$repo'
GIT_EDITOR=vi '$bin' consolidate 26.1.0 --date 2026-01-26
echo "exit=\$?" >'$work/done'
EOF

tmux -L "$socket" -f /dev/null new-session -d -s review -x 160 -y 48 "sh '$work/run.sh'; sleep 600"

screen() { tmux -L "$socket" capture-pane -p -t review; }
wait_for() {
    # wait_for WHAT COMMAND...: poll up to 30 s
    what=$1
    shift
    i=0
    while ! "$@"; do
        i=$((i + 1))
        if [ "$i" -ge 300 ]; then
            echo "tmux-review-check: FAILED: timed out waiting for $what; the screen:"
            screen
            exit 1
        fi
        sleep 0.1
    done
}

wait_for "vi to show the draft" sh -c "tmux -L '$socket' capture-pane -p -t review | grep -q 'Review the section'"
tmux -L "$socket" send-keys -t review -l ':%s/^#### Fair Share/#### Fair Share Scheduler/'
tmux -L "$socket" send-keys -t review Enter
tmux -L "$socket" send-keys -t review -l ':wq'
tmux -L "$socket" send-keys -t review Enter
wait_for "git release to finish" test -f "$work/done"

status=$(cat "$work/done")
if [ "$status" != "exit=0" ]; then
    echo "tmux-review-check: FAILED: consolidate ended with $status; the screen:"
    screen
    exit 1
fi
if ! grep -qx '#### Fair Share Scheduler' "$repo/CHANGELOG.md"; then
    echo "tmux-review-check: FAILED: the edited title is not in CHANGELOG.md"
    grep -n '^#### ' "$repo/CHANGELOG.md" | head -20
    exit 1
fi
if grep -qx '#### Fair Share' "$repo/CHANGELOG.md"; then
    echo "tmux-review-check: FAILED: the old title is still in CHANGELOG.md"
    exit 1
fi
if [ -e "$repo/.git/RELEASE_NOTES.md" ]; then
    echo "tmux-review-check: FAILED: the draft was not removed"
    exit 1
fi
echo "tmux-review-check: ok (vi edited the draft in tmux; CHANGELOG.md has '#### Fair Share Scheduler')"
