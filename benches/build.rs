//! In-process cost of `git release build --draft` on the largest fixture (26.3.0rc1, 341
//! fragments): fragment discovery, rendering, and both together. Whole-process timings
//! against towncrier are in scripts/bench-build.sh.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use git_release::config::Config;

fn bench(c: &mut Criterion) {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/backend-ai/26.3.0rc1/before");
    let config = Config::load(&root).expect("fixture config");
    let fragments = git_release::fragments::discover(&config).expect("fixture fragments");
    assert!(fragments.fragments.len() > 300);

    c.bench_function("discover 26.3.0rc1", |b| {
        b.iter(|| git_release::fragments::discover(&config).unwrap())
    });
    c.bench_function("render_section 26.3.0rc1", |b| {
        b.iter(|| {
            git_release::towncrier::render_section(
                &config,
                &fragments,
                "26.3.0rc1",
                "2026-03-11",
                None,
            )
            .unwrap()
        })
    });
    c.bench_function("config + discover + render 26.3.0rc1", |b| {
        b.iter(|| {
            let config = Config::load(&root).unwrap();
            let fragments = git_release::fragments::discover(&config).unwrap();
            git_release::towncrier::render_section(
                &config,
                &fragments,
                "26.3.0rc1",
                "2026-03-11",
                None,
            )
            .unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
