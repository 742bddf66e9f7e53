//! Link the `git-release` executable as a position-dependent (non-PIE) binary on Linux.
//!
//! A position-independent executable carries some 26,000 relative relocations that the
//! dynamic loader applies at every start, writing (and so copying) about 120 pages of
//! `.data.rel.ro`; a short command such as `build --draft` spent about a quarter of its page
//! faults there. Linked at a fixed address, those relocations are resolved by the linker.
//! Only the executable's link changes (`rustc-link-arg-bins`): the code is compiled as
//! before, and tests, benches and the library are linked as they were.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
