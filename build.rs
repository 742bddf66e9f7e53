//! Link the `git-release` executable at a fixed address, and statically where the C
//! library's static archives are installed (Linux, glibc).
//!
//! A position-independent executable carries some 26,000 relative relocations that the
//! dynamic loader applies at every start, writing (and so copying) about 120 pages of
//! `.data.rel.ro`; a short command such as `build --draft` spent about a quarter of its page
//! faults there. Linked at a fixed address (`-no-pie`), those relocations are resolved by
//! the linker.
//!
//! Linked statically as well, there is no dynamic loader at all: no mapping, relocating and
//! symbol look-up of `libc`, `libm` and `libgcc_s` at every start (a Rust hello world
//! starts in about half the CPU time and page faults here). rustc links statically only
//! with `-C target-feature=+crt-static`, which cannot be set for one crate's executable
//! (in `.cargo/config.toml` it applies to proc-macro crates too, which cannot be static).
//! So the link keeps rustc's `-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc`, and a directory
//! searched first answers each of those names with a linker script naming the static
//! archive (`libc.so` → `libc.a`; `libgcc_s.so` → `libgcc_eh.a`, the unwinder gcc's own
//! `-static` links). The C library's name-service functions (`getpwnam`, used only to
//! expand `~user` paths) read `/etc/passwd` themselves in a static glibc (2.34 and later
//! build the `files` module in).
//!
//! Only for a native build on glibc whose compiler finds `libc.a` and `libgcc_eh.a`
//! (Debian's `libc6-dev` has them; some distributions ship them apart, e.g. Fedora's
//! `glibc-static`): otherwise, or with `GIT_RELEASE_DYNAMIC` set when building, the
//! executable is linked dynamically as before. Only the executable's link changes
//! (`rustc-link-arg-bins`): tests, benches and the library are linked as they were.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=GIT_RELEASE_DYNAMIC");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os != "linux" || env != "gnu" {
        return;
    }
    println!("cargo:rustc-link-arg-bins=-no-pie");
    if std::env::var_os("GIT_RELEASE_DYNAMIC").is_some_and(|v| !v.is_empty()) {
        return;
    }
    if let Some(dir) = static_shims() {
        println!("cargo:rustc-link-arg-bins=-static");
        println!("cargo:rustc-link-arg-bins=-L{}", dir.display());
    }
}

/// The directory of linker scripts that turn rustc's dynamic library names into static
/// archives, or `None` where the archives are missing (the link stays dynamic).
fn static_shims() -> Option<PathBuf> {
    // The archives are looked up by the compiler that links for the host: a cross build
    // would ask the wrong one.
    if std::env::var("TARGET").ok()? != std::env::var("HOST").ok()? {
        return None;
    }
    // A linker configured for the target may not be `cc`: the look-up below would not
    // describe it.
    let target = std::env::var("TARGET").ok()?;
    let key = format!(
        "CARGO_TARGET_{}_LINKER",
        target.to_uppercase().replace('-', "_")
    );
    println!("cargo:rerun-if-env-changed={key}");
    if std::env::var_os(&key).is_some() {
        return None;
    }
    for archive in [
        "libc.a",
        "libm.a",
        "libutil.a",
        "librt.a",
        "libpthread.a",
        "libdl.a",
        "libgcc_eh.a",
        "libgcc.a",
    ] {
        if !compiler_finds(archive) {
            return None;
        }
    }
    let dir = PathBuf::from(std::env::var_os("OUT_DIR")?).join("static-link");
    std::fs::create_dir_all(&dir).ok()?;
    let scripts = [
        ("libgcc_s.so", "INPUT(-l:libgcc_eh.a)"),
        ("libutil.so", "INPUT(-l:libutil.a)"),
        ("librt.so", "INPUT(-l:librt.a)"),
        ("libpthread.so", "INPUT(-l:libpthread.a)"),
        ("libm.so", "INPUT(-l:libm.a)"),
        ("libdl.so", "INPUT(-l:libdl.a)"),
        // The C library and the compiler's runtime refer to each other.
        ("libc.so", "GROUP(-l:libc.a -l:libgcc_eh.a -l:libgcc.a)"),
    ];
    for (name, script) in scripts {
        std::fs::write(dir.join(name), format!("{script}\n")).ok()?;
    }
    Some(dir)
}

/// Whether `cc` finds `name` (it prints the bare name back when it does not).
fn compiler_finds(name: &str) -> bool {
    let Ok(out) = Command::new("cc")
        .arg(format!("-print-file-name={name}"))
        .output()
    else {
        return false;
    };
    let path = String::from_utf8_lossy(&out.stdout);
    let path = Path::new(path.trim());
    out.status.success() && path.is_absolute() && path.is_file()
}
