//! Text the commands print: the release plan, the summary, and results on stdout.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use git_release::error::{Error, Result};
use git_release::freeze::Outcome;
use git_release::git::Repo;
use git_release::release::{Plan, Summary};
use git_release::version::{ReleaseKind, Version};

use super::term::Term;

/// The plan, as shown before the question.
pub fn render_plan(plan: &Plan, repo: &Repo, term: &Term) -> String {
    let relative = |p: &Path| {
        p.strip_prefix(repo.root())
            .unwrap_or(p)
            .display()
            .to_string()
    };
    let mut out = String::new();
    let kind = release_type(&plan.version);
    let _ = writeln!(
        out,
        "{}",
        term.bold(format!("Release plan for {}", plan.version))
    );
    let _ = writeln!(out, "  Version:    {} → {}", plan.current, plan.version);
    if !plan.version_from.is_empty() {
        let _ = writeln!(out, "  From:       {}", plan.version_from);
    }
    let _ = writeln!(out, "  Type:       {kind}");
    let _ = writeln!(
        out,
        "  Branch:     {} (from {})",
        plan.branch, plan.base_branch
    );
    let _ = writeln!(out, "  Date:       {}", plan.request.date);
    let _ = writeln!(
        out,
        "  WebUI:      {}",
        plan.webui
            .as_ref()
            .map(|w| w.to_string())
            .unwrap_or_else(|| "not updated".into())
    );
    let _ = writeln!(out, "  Changelog:  {}", relative(&plan.changelog));
    if plan.form.consolidates() {
        let _ = writeln!(
            out,
            "  RC merged:  {}",
            if plan.rc_sections.is_empty() {
                "none".into()
            } else {
                plan.rc_sections.join(", ")
            }
        );
    } else if plan.version.is_final()
        && plan.form.unfolded().is_empty()
        && plan.fragment_files.is_empty()
    {
        // A final with nothing to fold: no pre-release section, no fragment.
        let _ = writeln!(
            out,
            "  RC merged:  none: {} has no pre-release section of {}",
            relative(&plan.changelog),
            plan.version
        );
    } else if !plan.form.unfolded().is_empty() {
        let _ = writeln!(
            out,
            "  RC merged:  none: {} {} as published ({} is reStructuredText; git-release \
             folds only Markdown sections)",
            plan.form.unfolded().join(", "),
            if plan.form.unfolded().len() == 1 {
                "stays"
            } else {
                "stay"
            },
            relative(&plan.changelog)
        );
    }
    let fragments = match plan.fragment_files.len() {
        0 if plan.form.consolidates()
            && plan
                .section
                .as_ref()
                .is_some_and(|s| s.entries().next().is_none()) =>
        {
            "none, and the rc sections list no entry: the changelog gets towncrier's section \
             for no fragments"
                .to_string()
        }
        0 if plan.form.consolidates() => "none (the rc sections hold the entries)".to_string(),
        0 if plan.section.is_some() || plan.unread_section.is_some() => {
            "none: the changelog gets towncrier's section for no fragments".to_string()
        }
        0 => "none: the template renders nothing for no fragments, so the changelog gets no \
              section"
            .to_string(),
        n => format!(
            "{n} in {}",
            relative(plan.fragment_files[0].parent().unwrap_or(Path::new(".")))
        ),
    };
    let _ = writeln!(out, "  Fragments:  {fragments}");
    if let Some(stale) = stale_line(plan) {
        let _ = writeln!(out, "  Stale:      {stale}");
    }
    if let Some(why) = &plan.review_unavailable {
        let _ = writeln!(
            out,
            "  Review:     the release would be refused here: {why}"
        );
    }
    if let Some(s) = &plan.section {
        let entries = s.entries().count();
        let _ = writeln!(
            out,
            "  Entries:    {entries} across {} categories{}",
            s.categories.len(),
            if plan.group_count > 0 {
                format!(" ({} groups)", plan.group_count)
            } else {
                String::new()
            }
        );
    }
    if let Some(f) = &plan.freeze {
        render_freeze(&mut out, f);
    }
    let _ = writeln!(out, "Steps:");
    for (i, s) in plan.steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", i + 1, s.name);
    }
    out
}

/// The plan's stale entries, an issue named by text as written (`PROJ-12`): a stale
/// fragment's issue comes as `#` and its name, which for a name is no PR number.
fn stale_line(plan: &Plan) -> Option<String> {
    fn named(p: &str) -> Option<&str> {
        (p.strip_prefix('#')).filter(|n| !n.is_empty() && !n.bytes().all(|b| b.is_ascii_digit()))
    }
    let all = || plan.stale.iter().flat_map(|s| &s.prs);
    if !all().any(|p| named(p).is_some()) {
        return plan.stale_line();
    }
    let mut shown = plan.clone();
    for p in shown.stale.iter_mut().flat_map(|s| &mut s.prs) {
        if let Some(name) = named(p) {
            *p = name.to_string();
        }
    }
    shown.stale_line()
}

/// `1 line`, `2 lines`.
fn lines(n: usize) -> String {
    format!("{n} line{}", if n == 1 { "" } else { "s" })
}

/// The freeze in the plan: places and files, each rule's count, what is left alone and why.
pub fn render_freeze(out: &mut String, f: &Outcome) {
    let _ = writeln!(
        out,
        "  Freeze:     {} → {}: {} ({} replaced, {} dropped{})",
        f.placeholder,
        f.version,
        f.extent(),
        f.replaced,
        lines(f.dropped),
        if f.kept > 0 {
            format!(", {} kept", lines(f.kept))
        } else {
            String::new()
        }
    );
    let width = f
        .by_rule
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    for r in &f.by_rule {
        let _ = writeln!(
            out,
            "              {:>width$}  {} ({})",
            r.count, r.name, r.action
        );
    }
    let left = &f.left_alone;
    for (what, paths) in [
        ("excluded", &left.excluded),
        ("spared (git-release's own files)", &left.spared),
        ("binary", &left.binary),
        ("only on kept lines", &left.kept),
    ] {
        if !paths.is_empty() {
            let _ = writeln!(
                out,
                "              left alone, {what}: {}",
                paths.join(", ")
            );
        }
    }
    for link in &left.symlinks {
        let _ = writeln!(
            out,
            "              left alone, symlink {}: {}",
            link.path, link.reason
        );
    }
    for w in &f.warnings {
        let _ = writeln!(out, "              warning: {w}");
    }
}

/// The summary, as printed after a release.
pub fn render_summary(summary: &Summary) -> String {
    let mut out = String::from("Release prepared\n");
    let _ = writeln!(out, "  Version:    {}", summary.version);
    let _ = writeln!(out, "  Branch:     {}", summary.branch);
    let kind = Version::parse(&summary.version)
        .map(|v| release_type(&v))
        .unwrap_or_else(|_| summary.kind.clone());
    let _ = writeln!(out, "  Type:       {kind}");
    let _ = writeln!(
        out,
        "  WebUI:      {}",
        summary.webui.as_deref().unwrap_or("not updated")
    );
    // No entry: no section, or towncrier's section for no fragments (`No significant
    // changes.`), which the summary does not tell apart.
    let changelog = if summary.entries == 0 {
        "no entries".to_string()
    } else {
        format!(
            "{} entries across {} categories{}",
            summary.entries,
            summary.categories,
            if summary.groups > 0 {
                format!(" ({} groups)", summary.groups)
            } else {
                String::new()
            }
        )
    };
    let _ = writeln!(out, "  Changelog:  {changelog}");
    let merged = if summary.rc_merged.is_empty() {
        "none".to_string()
    } else {
        summary.rc_merged.join(", ")
    };
    let _ = writeln!(out, "  RC merged:  {merged}");
    if let Some(n) = &summary.next_version {
        let _ = writeln!(out, "  Next:       {n}");
    }
    if !summary.by_hand.is_empty() {
        let _ = writeln!(out, "  By hand:    {}", summary.by_hand.join("; "));
    }
    if let Some(stale) = &summary.stale {
        let _ = writeln!(out, "  Stale:      {stale}");
    }
    out
}

/// `Final release (sprint)`, `Final release`, `Pre-release`…: the plan and the summary say
/// it the same way.
fn release_type(version: &Version) -> String {
    match (version.kind(), version.is_sprint()) {
        (ReleaseKind::Final, true) => "Final release (sprint)".to_string(),
        (k, _) => k.to_string(),
    }
}

/// Write a command's result to stdout, all at once. A closed pipe is an error (which
/// `main` turns into a quiet exit), never a panic.
pub fn print_out(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
        .map_err(|e| Error::io("<stdout>", e))
}
