#!/usr/bin/env python3
"""An external grouper for `git release --strategy command` (standard library only).

It reads the release as JSON on stdin and prints the grouping as JSON on stdout, in the
shapes strategies/README.md and strategies/command.schema.json describe. The grouping is
deliberately simple: entries of a category whose first meaningful word (after a leading
verb such as "Add" or "Fix") is the same form a group, titled by that word as the entries
write it; a group the project already made in an earlier release under that title keeps
the project's title, tier and description. Everything else goes to the category's
`other` list. Every entry is placed exactly once, as git-release requires.

Each entry names its references twice: `prs`, the PR numbers, and `issues`, every reference as
the project writes it (`"8560"`, or a tracker's `"PROJ-12"`, which has no number). This script
groups by words and answers with entry ids only, so it needs neither; `--dump-input` prints
what it was given (the input, indented) on stderr first, to see what a command receives.

Use it as:  git release consolidate 1.2.0 --strategy command \
                --command 'python3 strategies/examples/leading_word.py'
"""

import json
import re
import sys

# Words skipped before the one that names the topic.
SKIP = {
    "a", "an", "the", "to", "of", "for", "in", "on", "with", "and", "or", "by", "from",
    "when", "new", "more", "all", "some", "its", "their", "into", "as", "at", "not",
    "add", "adds", "added", "fix", "fixes", "fixed", "improve", "improves", "improved",
    "update", "updates", "updated", "implement", "implemented", "support", "supports",
    "supported", "remove", "removes", "removed", "refactor", "refactored", "introduce",
    "introduced", "enable", "enabled", "allow", "allows", "allowed", "make", "made",
    "use", "used", "change", "changed", "handle", "handled", "prevent", "prevented",
    "ensure", "ensured", "correct", "corrected", "resolve", "resolved", "apply", "applied",
    "migrate", "migrated", "rename", "renamed", "replace", "replaced", "bump", "bumped",
}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9]|[A-Za-z]")


def topic(text, component_words):
    """The first meaningful word of an entry, as written, or None. A component name
    (`manager`, `storage-proxy`) is never a topic: git-release would dissolve its group."""
    for word in WORD.findall(text):
        key = word.lower()
        parts = re.split(r"[-_. ]+", key)
        if key in SKIP or all(p in component_words for p in parts):
            continue
        return word
    return None


def past_groups(history, category):
    """Title (lower case) -> the latest earlier group of that title in this category."""
    found = {}
    for release in history:  # newest first
        for cat in release.get("categories", []):
            if cat["name"].lower() != category.lower():
                continue
            for group in cat.get("groups", []):
                found.setdefault(group["title"].lower(), group)
    return found


def group_category(category, history, rules):
    min_size = max(1, rules.get("min_group_size", 2))
    components = {w for c in rules.get("components", []) for w in re.split(r"[-_. ]+", c.lower())}
    by_topic = {}  # lower-case topic -> (surface forms, ids), in order of appearance
    other = []
    for entry in category["entries"]:
        word = topic(entry["text"], components)
        if word is None:
            other.append(entry["id"])
            continue
        forms, ids = by_topic.setdefault(word.lower(), ([], []))
        forms.append(word)
        ids.append(entry["id"])
    earlier = past_groups(history, category["name"])
    groups = []
    for key, (forms, ids) in by_topic.items():
        if len(ids) < min_size:
            other.extend(ids)
            continue
        # The spelling most entries use; a lower-case word gets a capital.
        form = max(forms, key=forms.count)
        title = form if not form.islower() else form[0].upper() + form[1:]
        group = {"title": title, "tier": "subsystem", "entries": ids}
        past = earlier.get(key)
        if past is not None:
            group.update(title=past["title"], tier=past["tier"])
            if past.get("description"):
                group["description"] = past["description"]
        groups.append(group)
    return {"name": category["name"], "groups": groups, "other": other}


def main():
    release = json.load(sys.stdin)
    if "--dump-input" in sys.argv[1:]:
        json.dump(release, sys.stderr, indent=2, ensure_ascii=False)
        sys.stderr.write("\n")
    if release.get("format") != 1:
        sys.exit("leading_word.py: unknown input format %r" % release.get("format"))
    answer = {
        "categories": [
            group_category(c, release.get("history", []), release.get("rules", {}))
            for c in release["categories"]
        ]
    }
    json.dump(answer, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
