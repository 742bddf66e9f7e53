//! Rewrite the man page, `man/man1/git-release.1`, from the clap definitions.
//!
//! ```sh
//! cargo run --example mangen
//! MANPATH=$PWD/man git help release
//! ```
//!
//! `tests/man.rs` fails while the committed page differs from what this writes.

use std::path::Path;

use git_release::man;

fn main() -> std::io::Result<()> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(man::PATH);
    let mut page = Vec::new();
    man::render(&mut page)?;
    std::fs::create_dir_all(path.parent().expect("man/man1"))?;
    std::fs::write(&path, page)?;
    println!("wrote {}", path.display());
    Ok(())
}
