//! Hostile round 11's Jinja2 leftovers (hostile11/03, 04, 05, 06, 09, 13): what towncrier's
//! Jinja2 cannot print the same on every build, or refuses, is refused by name — the
//! build exits 3 and changes nothing. What it prints is checked byte for byte by the
//! `tests/fixtures/towncrier-cases/jinja-*` cases. (Repro scripts: /work/hostile11/NN-*.sh.)

use crate::util::{self, git, one_error, run, snapshot};

const CONFIG: &str = "[tool.towncrier]\nfilename = \"CHANGELOG.md\"\ndirectory = \"changes\"\ntemplate = \"changes/tpl.md\"\n";

/// `build --yes` with `template`: refused (exit 3), one error naming the template file and
/// each of `says`, and nothing changed (files, HEAD, the index). Returns the message.
fn refused(template: &str, says: &[&str]) -> String {
    let repo = util::repo_with(&[
        ("pyproject.toml", CONFIG),
        ("changes/tpl.md", template),
        ("changes/1.feature.md", "Add the thing\n"),
    ]);
    let root = repo.path();
    let before = (
        snapshot(root),
        git(root, &["rev-parse", "HEAD"]),
        git(root, &["status", "--porcelain"]),
    );
    let out = run(
        root,
        &["build", "1.2.0", "--yes", "--date", "2025-06-01"],
        "false",
    );
    let stderr = one_error(&out, template);
    assert_eq!(out.status.code(), Some(3), "{template}: {stderr}");
    assert!(stderr.contains("changes/tpl.md"), "{template}: {stderr}");
    for needle in says {
        assert!(
            stderr.contains(needle),
            "{template}: no {needle:?} in {stderr}"
        );
    }
    let after = (
        snapshot(root),
        git(root, &["rev-parse", "HEAD"]),
        git(root, &["status", "--porcelain"]),
    );
    assert!(
        before == after,
        "{template}: the refusal changed the repository"
    );
    stderr
}

/// hostile11/09: the format specs Python refuses for the value's type are refused with
/// Python's reason (towncrier fails there too), not by minijinja's "invalid conversion".
#[test]
fn format_specs_python_refuses_are_refused_with_its_reason() {
    for (template, says) in [
        ("{{ '{:,n}'.format(3) }}", "Cannot specify ',' with 'n'"),
        (
            "{{ '{:=5}'.format('ab') }}",
            "'=' alignment not allowed in string format specifier",
        ),
        (
            "{{ '{:+5}'.format('ab') }}",
            "Sign not allowed in string format specifier",
        ),
        (
            "{{ '{:z}'.format(5) }}",
            "Negative zero coercion (z) not allowed in integer",
        ),
        (
            "{{ '{:5d}'.format('ab') }}",
            "Unknown format code 'd' for object of type 'str'",
        ),
    ] {
        refused(template, &["str.format", says]);
    }
}

/// hostile11/09: `namespace(mapping, **kwargs)` is Jinja2's; what it cannot hold as Jinja2
/// does is refused naming it.
#[test]
fn namespace_arguments_jinja2_takes_or_refuses() {
    refused(
        "{{ namespace({1: 2}) }}",
        &[
            "namespace()",
            "the attribute 1 is not a string",
            "git-release",
        ],
    );
    refused(
        "{{ namespace({'a': 1}, {'b': 2}) }}",
        &["namespace()", "at most 1 argument"],
    );
    refused(
        "{{ namespace([('a', 1, 2)]) }}",
        &["namespace()", "not a pair"],
    );
}

/// hostile11/13: setting `self` or `loop` (Jinja2 allows it; minijinja reserves the names)
/// is refused saying git-release does not support it, not as the template's syntax error.
#[test]
fn setting_self_or_loop_is_refused_as_git_releases_limit() {
    for template in [
        "{% set self = 1 %}{{ self }}",
        "{% for loop in [1] %}{{ loop }}{% endfor %}",
    ] {
        refused(
            template,
            &[
                "reserved variable name",
                "git-release does not support that",
            ],
        );
    }
}

/// hostile11/03: what Jinja2's generator filters return, printed (alone, in a list, through
/// `~`, `|string` or `|pprint`), is a Python address in towncrier's output: refused naming
/// the filter and saying to add `|list`.
#[test]
fn a_printed_generator_is_refused_naming_its_filter() {
    for (template, filter) in [
        ("{{ [1, 2]|map('string') }}", "map"),
        ("{{ [0, 1]|select }}", "select"),
        ("{{ [0, 1]|reject }}", "reject"),
        ("{{ [{'a': 1}]|selectattr('a') }}", "selectattr"),
        ("{{ [{'a': 1}]|rejectattr('a') }}", "rejectattr"),
        ("{{ [1, 2, 3]|batch(2) }}", "batch"),
        ("{{ [1, 2, 3]|slice(2) }}", "slice"),
        ("{{ [1, 1]|unique }}", "unique"),
        ("{{ {'a': 1}|items }}", "items"),
        ("{{ [[1]|map('string')] }}", "map"),
        ("{{ [1]|map('string') ~ '' }}", "map"),
        ("{{ [1]|select|string }}", "select"),
        ("{{ [1]|select|pprint }}", "select"),
        ("{{ [1]|reverse }}", "reverse"),
    ] {
        let message = refused(
            template,
            &[
                &format!("the result of the {filter} filter"),
                "memory address",
                "|list",
            ],
        );
        assert!(!message.contains("80 characters"), "{template}: {message}");
    }
}

/// hostile11/03: what Python cannot do with a generator (`len()`, `reversed()`, JSON) fails
/// in towncrier: the build fails too, saying why, instead of printing a value.
#[test]
fn what_python_cannot_do_with_a_generator_is_refused() {
    for (template, says) in [
        (
            "{{ [1, 2]|map('string')|length }}",
            "object of type 'generator' has no len()",
        ),
        (
            "{{ [1, 2]|select|count }}",
            "object of type 'generator' has no len()",
        ),
        (
            "{{ [1, 2]|select|last }}",
            "'generator' object is not reversible",
        ),
        (
            "{{ [1]|reverse|length }}",
            "'list_reverseiterator' has no len()",
        ),
        (
            "{{ [1]|select|tojson }}",
            "Object of type generator is not JSON serializable",
        ),
    ] {
        refused(template, &[says, "towncrier fails"]);
    }
}

/// hostile11/04: what markupsafe's `Markup` methods refuse fails here too, saying why
/// (an escaped fill is no longer one character; a Markup takes no format spec), and
/// `unescape()` (HTML's named entities) is refused by name.
#[test]
fn markup_methods_refuse_what_markupsafe_refuses() {
    refused(
        "{{ ('<b>'|safe).center(9, '<') }}",
        &["center", "one character"],
    );
    refused(
        "{{ ('{:>5}'|safe).format('<b>'|safe) }}",
        &["Unsupported format specification for Markup"],
    );
    refused(
        "{{ ('&amp;'|safe).unescape() }}",
        &["Markup.unescape()", "not supported by git-release"],
    );
}

/// hostile11 (last round): where Python's operators raise `TypeError` (a sequence times a
/// float, a range or a tuple added to a list) the build fails saying so; an integer past
/// what git-release holds says that is what overflowed.
#[test]
fn operators_python_refuses_and_overflows_say_why() {
    for (template, says) in [
        (
            "{{ [1] * 2.0 }}",
            "can't multiply sequence by non-int of type 'float'",
        ),
        (
            "{{ 'a' * 2.0 }}",
            "can't multiply sequence by non-int of type 'float'",
        ),
        (
            "{{ range(2) + [1] }}",
            "unsupported operand type(s) for +: 'range' and 'list'",
        ),
        (
            "{{ range(2) * 2 }}",
            "unsupported operand type(s) for *: 'range' and 'int'",
        ),
        (
            "{{ [1] + (2,) }}",
            "can only concatenate list (not \"tuple\") to list",
        ),
    ] {
        refused(template, &[says, "towncrier fails"]);
    }
    for template in [
        "{{ (-170141183460469231731687303715884105728)|abs }}",
        "{{ -170141183460469231731687303715884105727 - 2 }}",
    ] {
        refused(
            template,
            &["beyond the integers git-release can hold (±2^127)"],
        );
    }
}
