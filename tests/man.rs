//! The committed man page is the one the clap definitions render.

use std::path::Path;

use git_release::man;

#[test]
fn man_page_is_up_to_date() {
    let mut rendered = Vec::new();
    man::render(&mut rendered).expect("the man page renders");
    let rendered = String::from_utf8(rendered).expect("UTF-8");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(man::PATH);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != rendered {
        let line = committed
            .lines()
            .zip(rendered.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(rendered.lines().count()))
            + 1;
        panic!(
            "{} does not match the clap definitions (first difference at line {line}). \
             Regenerate it with `{}` and commit the result.",
            man::PATH,
            man::REGENERATE
        );
    }
}

#[test]
fn man_page_documents_every_command_and_option() {
    let mut rendered = Vec::new();
    man::render(&mut rendered).unwrap();
    let page = String::from_utf8(rendered).unwrap();
    for heading in [
        "git release build",
        "git release consolidate",
        "git release rules learn",
        "git release demo",
        "git release abort",
        "git release continue",
    ] {
        assert!(
            page.contains(&format!(".SS \"{heading}\"")),
            "no section for {heading}"
        );
    }
    // Every long option of every command appears (roff escapes `-` as `\-`).
    fn walk(cmd: &clap::Command, page: &str) {
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long() {
                let roff = format!("\\fB\\-\\-{}\\fR", long.replace('-', "\\-"));
                assert!(
                    page.contains(&roff),
                    "--{long} of {} missing",
                    cmd.get_name()
                );
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, page);
        }
    }
    walk(&git_release::cli::command(), &page);
    assert_eq!(page.matches(".TH ").count(), 1);
    assert!(page.starts_with(".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.TH GIT-RELEASE 1 \"\" "));
}
