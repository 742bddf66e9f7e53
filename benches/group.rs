//! Grouping cost per strategy: one category of 1,000 and of 10,000 synthetic entries,
//! grouped with `similarity`, `rules`, `labels` and `auto` through
//! [`group::group_category`], as `git release consolidate` does.
//!
//! The entries are generated deterministically (a small PRNG, no `rand`) from a vocabulary
//! shaped like a real changelog's: leading verbs, multi-word topics, CamelCase names,
//! identifiers in backticks, components, follow-up PR numbers, a second sentence now and
//! then. The context holds a corpus of the entries plus as many "history" entries, and a
//! few grouped history sections (what a project's earlier final releases provide), so the
//! similarity cut-off is learned as it is on a real changelog. The rules file has 30 rules
//! and the labels file labels two PRs in three.
//!
//! ```sh
//! cargo bench --bench group
//! ```

use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use git_release::group::labels::PrLabels;
use git_release::group::registry::{Inputs, build_with};
use git_release::group::rules::RulesFile;
use git_release::group::settings::DEFAULT_COMPONENTS;
use git_release::group::{self, Context, Corpus, HistorySection, Item, Settings, Strategy};

/// SplitMix64: tiny, fast and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }

    /// Skewed towards the front of the list, as topic popularity is in a real changelog.
    fn pick_skewed<'a>(&mut self, xs: &[&'a str]) -> (usize, &'a str) {
        let a = self.below(xs.len());
        let b = self.below(xs.len());
        let i = a.min(b);
        (i, xs[i])
    }
}

const FEATURE_VERBS: &[&str] = &[
    "Add",
    "Implement",
    "Support",
    "Introduce",
    "Expose",
    "Enable",
    "Allow",
    "Define",
    "Migrate",
    "Refactor",
    "Improve",
    "Extract",
    "Replace",
    "Optimize",
    "Validate",
    "Deprecate",
    "Rename",
    "Unify",
    "Cache",
    "Apply",
];

/// What entries are about; the first ones come up most often.
const TOPICS: &[&str] = &[
    "fair share scheduler",
    "session lifecycle",
    "vfolder permissions",
    "container registry",
    "resource group",
    "model serving",
    "image rescan",
    "agent heartbeat",
    "kernel restart",
    "storage proxy",
    "event bus",
    "app proxy routing",
    "user quota",
    "project membership",
    "audit log",
    "keypair resource policy",
    "GraphQL pagination",
    "artifact registry",
    "deployment revision",
    "health check",
    "idle timeout",
    "network isolation",
    "GPU allocation",
    "login session",
    "rate limit",
    "metric collection",
    "log rotation",
    "background task",
    "notification channel",
    "scheduling queue",
    "usage bucket",
    "RBAC scope",
    "object permission",
    "TUS upload",
    "Redis consumer",
    "Prometheus metrics",
    "CSV export",
    "service definition",
    "auto scaling rule",
    "domain settings",
    "inference endpoint",
    "batch session",
    "dotfile sync",
    "SSH keypair",
    "volume quota",
    "CUDA runtime",
    "etcd configuration",
    "OpenAPI schema",
    "web terminal",
    "file browser",
];

const NAME_PARTS: &[&str] = &[
    "Session",
    "VFolder",
    "Kernel",
    "Agent",
    "Image",
    "Model",
    "Deployment",
    "Artifact",
    "Project",
    "Domain",
    "User",
    "Keypair",
    "Scaling",
    "Resource",
    "Endpoint",
    "Route",
    "Quota",
    "Usage",
    "FairShare",
    "Scope",
    "Permission",
    "Registry",
    "Volume",
    "Container",
];

const NAME_SUFFIXES: &[&str] = &[
    "Row",
    "Service",
    "Repository",
    "Node",
    "Action",
    "Processor",
    "Manager",
    "Controller",
    "Policy",
    "GQL",
    "V2",
    "Spec",
    "Info",
    "Creator",
    "Querier",
    "Validator",
    "Handler",
    "Client",
    "Adapter",
    "Event",
];

const FIELDS: &[&str] = &[
    "session_id",
    "max_concurrent_sessions",
    "allowed_vfolder_hosts",
    "resource_slots",
    "created_at",
    "scaling_group",
    "project_id",
    "domain_name",
    "image_ref",
    "status_info",
    "idle_timeout",
    "preopen_ports",
    "bootstrap_script",
    "cluster_size",
    "model_definition_path",
    "fair_share_weight",
    "replicas",
    "runtime_variant",
    "mount_map",
    "access_key",
];

const PATHS: &[&str] = &[
    "/v2/sessions",
    "/func/vfolders",
    "/services/{id}/scale",
    "ai.backend.manager.api",
    "ai.backend.agent.docker",
    "ai.backend.storage.volumes",
    "--watch",
    "--dry-run",
    "BACKEND_ENDPOINT",
    "redis.sentinel",
];

const COMPONENTS: &[&str] = &[
    "manager",
    "agent",
    "storage-proxy",
    "webserver",
    "client SDK",
    "CLI",
    "app-proxy",
    "web UI",
];

const QUALIFIERS: &[&str] = &[
    "for multi-node clusters",
    "on Kubernetes",
    "under high load",
    "after a database migration",
    "with Redis Sentinel",
    "in the admin dashboard",
    "per project",
    "per domain",
    "for inference sessions",
    "across resource groups",
    "in batch mode",
    "for read-only mounts",
    "when the agent restarts",
    "behind a reverse proxy",
    "with custom images",
];

const FAILURES: &[&str] = &[
    "crash",
    "race condition",
    "memory leak",
    "deadlock",
    "stale cache",
    "timeout",
    "wrong status",
    "duplicate events",
    "permission denied",
    "unhandled exception",
];

const CONDITIONS: &[&str] = &[
    "the session is terminated twice",
    "a vfolder is shared with a project",
    "the agent loses its Redis connection",
    "an image has no labels",
    "the request omits optional fields",
    "a replica fails its health check",
    "the quota scope is missing",
    "two users upload at once",
    "the scheduler retries a pending session",
    "etcd is unreachable",
];

const PACKAGES: &[&str] = &[
    "aiohttp",
    "sqlalchemy",
    "pydantic",
    "strawberry-graphql",
    "redis",
    "grpcio",
    "uvloop",
    "pytest",
    "ruff",
    "mypy",
];

const SECOND_SENTENCES: &[&str] = &[
    "This keeps the legacy API working while clients migrate.",
    "Operators can now tune it without restarting the manager.",
    "The old code path is kept behind a feature flag.",
    "Queries now paginate in SQL instead of in memory.",
    "Existing deployments pick the change up after a rescan.",
];

fn name(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(NAME_PARTS), rng.pick(NAME_SUFFIXES))
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// One changelog entry and the topic it is about (`None` for chores such as bumps).
fn entry(rng: &mut Rng, pr: u64) -> (String, Option<usize>) {
    let (t, topic) = rng.pick_skewed(TOPICS);
    let verb = rng.pick(FEATURE_VERBS);
    let mut text = match rng.below(14) {
        0 => format!("{verb} {topic} {}", rng.pick(QUALIFIERS)),
        1 => format!("{verb} `{}` to the {topic} API", rng.pick(FIELDS)),
        2 => format!("{verb} `{}` for {topic}", name(rng)),
        3 => format!("{verb} {topic} support in the {}", rng.pick(COMPONENTS)),
        4 => format!(
            "Fix {} in {topic} when {}",
            rng.pick(FAILURES),
            rng.pick(CONDITIONS)
        ),
        5 => format!(
            "`{}` fails to load {topic} {}",
            name(rng),
            rng.pick(QUALIFIERS)
        ),
        6 => format!(
            "Add GraphQL `{}` type with `{}` field for {topic}",
            name(rng),
            rng.pick(FIELDS)
        ),
        7 => format!("Migrate {} to the repository pattern", name(rng)),
        8 => {
            return (
                format!(
                    "Bump `{}` to {}.{}.{}",
                    rng.pick(PACKAGES),
                    rng.below(5),
                    rng.below(30),
                    rng.below(10)
                ),
                None,
            );
        }
        9 => {
            return (
                format!(
                    "Enable {}{:03} linter rule",
                    rng.pick(&["UP", "RUF", "B", "SIM", "PT"]),
                    rng.below(120)
                ),
                None,
            );
        }
        10 => format!(
            "{} `{}` in {topic} {}",
            verb,
            rng.pick(PATHS),
            rng.pick(QUALIFIERS)
        ),
        11 => format!("{} {} and {} for {topic}", verb, name(rng), name(rng)),
        12 => format!("{} the {topic} in the {}", verb, rng.pick(COMPONENTS)),
        _ => format!(
            "{} {} {topic} with {}",
            verb,
            cap(rng.pick(COMPONENTS)),
            rng.pick(FIELDS).replace('_', " ")
        ),
    };
    if rng.chance(15) {
        text.push_str(&format!(
            " (follow-up to #{})",
            pr.saturating_sub(1 + rng.below(300) as u64)
        ));
    }
    if rng.chance(20) {
        text.push_str(". ");
        text.push_str(rng.pick(SECOND_SENTENCES));
    }
    (text, Some(t))
}

struct Synthetic {
    items: Vec<Item>,
    topics: Vec<Option<usize>>,
}

fn synthetic(n: usize, seed: u64, first_pr: u64) -> Synthetic {
    let mut rng = Rng(seed);
    let mut items = Vec::with_capacity(n);
    let mut topics = Vec::with_capacity(n);
    for i in 0..n {
        let pr = first_pr + i as u64;
        let (text, topic) = entry(&mut rng, pr);
        items.push(Item::new(text, vec![pr]));
        topics.push(topic);
    }
    Synthetic { items, topics }
}

/// Thirty rules over the vocabulary, of every tier, some with regexes, excludes,
/// category filters or `standalone`.
fn rules_file() -> RulesFile {
    let tiers = [
        "initiative",
        "subsystem",
        "entity",
        "pattern",
        "infrastructure",
    ];
    let mut toml = String::new();
    for (i, topic) in TOPICS.iter().take(26).enumerate() {
        toml += "[[group]]\n";
        toml += &format!("title = \"{}\"\n", cap(topic));
        toml += &format!("tier = \"{}\"\n", tiers[i % 4]);
        let words: Vec<&str> = topic.split(' ').collect();
        let mut keywords = vec![topic.to_string()];
        if words.len() > 1 {
            keywords.push(words.concat());
        }
        if i % 3 == 0 {
            keywords.push(format!(
                "{} {}",
                words[0],
                NAME_SUFFIXES[i % NAME_SUFFIXES.len()]
            ));
        }
        toml += &format!("keywords = {keywords:?}\n");
        if i % 5 == 0 {
            toml += &format!(
                "regex = ['(?i)\\b{}\\w*']\n",
                NAME_PARTS[i % NAME_PARTS.len()]
            );
        }
        if i % 7 == 0 {
            toml += "exclude = [\"legacy api\"]\n";
        }
        if i % 9 == 4 {
            toml += "categories = [\"Fixes\"]\n";
        }
        if i % 8 == 1 {
            toml += "standalone = true\n";
        }
    }
    toml += r#"
[[group]]
title = "Linter Rules"
tier = "pattern"
keywords = ["linter rule", "ruff", "mypy"]
regex = ['\b[A-Z]{1,3}\d{3}\b']

[[group]]
title = "Dependencies"
tier = "infrastructure"
keywords = ["bump", "dependency"]

[[group]]
title = "GraphQL API"
tier = "subsystem"
keywords = ["graphql type", "graphql field", "strawberry"]

[[group]]
title = "Repository Pattern"
tier = "pattern"
keywords = ["repository pattern"]
"#;
    let file = RulesFile::parse(Path::new("bench-rules.toml"), &toml).expect("valid rules");
    assert_eq!(file.rules.len(), 30);
    file
}

/// `gh pr list --json number,labels` output: an area label for two PRs in three (from the
/// entry's topic), plus kind, size and component labels.
fn labels(s: &Synthetic, first_pr: u64) -> PrLabels {
    let mut rng = Rng(7);
    let mut prs = Vec::new();
    for (i, topic) in s.topics.iter().enumerate() {
        let mut names: Vec<String> = vec![
            rng.pick(&["feature", "enhancement", "bug", "refactor"])
                .into(),
            format!("size:{}", rng.pick(&["XS", "S", "M", "L", "XL"])),
        ];
        if rng.chance(40) {
            names.push(format!(
                "comp:{}",
                rng.pick(&["manager", "agent", "storage-proxy"])
            ));
        }
        if let Some(t) = topic.filter(|_| rng.chance(67)) {
            names.insert(
                1,
                format!("area:{}", TOPICS[t].to_lowercase().replace(' ', "-")),
            );
        }
        let labels: Vec<String> = names
            .iter()
            .map(|n| format!("{{\"name\": \"{n}\"}}"))
            .collect();
        prs.push(format!(
            "{{\"number\": {}, \"labels\": [{}]}}",
            first_pr + i as u64,
            labels.join(", ")
        ));
    }
    let json = format!("[{}]", prs.join(",\n"));
    PrLabels::parse(Path::new("bench-labels.json"), &json).expect("valid labels")
}

/// A corpus of the entries plus as many earlier ones, and eight grouped sections of the
/// earlier ones (grouped by topic), as a project's earlier final releases give.
fn context(s: &Synthetic) -> Context {
    let n = s.items.len();
    let history = synthetic(n, 0xC0FFEE ^ n as u64, 1000);
    let corpus = Corpus::new(
        s.items
            .iter()
            .chain(&history.items)
            .map(|i| i.text.as_str()),
    );
    let mut sections = Vec::new();
    for (k, chunk) in history
        .items
        .iter()
        .zip(&history.topics)
        .collect::<Vec<_>>()
        .chunks(120)
        .take(8)
        .enumerate()
    {
        let mut section = HistorySection {
            release: format!("25.{k}.0"),
            category: "Features".into(),
            ..Default::default()
        };
        // Topics with at least two entries in the section are its groups.
        let mut groups: Vec<usize> = Vec::new();
        for (_, t) in chunk {
            if let Some(t) = t {
                if chunk.iter().filter(|(_, u)| *u == &Some(*t)).count() >= 2 && !groups.contains(t)
                {
                    groups.push(*t);
                }
            }
        }
        for (item, t) in chunk {
            let label = t.and_then(|t| groups.iter().position(|&g| g == t));
            section.entries.push((item.text.clone(), label));
        }
        section.groups = groups
            .iter()
            .map(|&g| (cap(TOPICS[g]), String::new()))
            .collect();
        sections.push(section);
    }
    let components: Vec<String> = DEFAULT_COMPONENTS.iter().map(|c| c.to_string()).collect();
    Context::new(corpus, sections, &components, 2)
}

fn bench(c: &mut Criterion) {
    let rules = rules_file();
    for n in [1_000usize, 10_000] {
        let first_pr = 5_000;
        let s = synthetic(n, 42, first_pr);
        let ctx = context(&s);
        let labels = labels(&s, first_pr);
        // Every strategy as the registry builds it, with both data files.
        let strategies: Vec<(&str, Box<dyn group::Grouper>)> = [
            Strategy::Similarity,
            Strategy::Rules,
            Strategy::Labels,
            Strategy::Auto,
        ]
        .into_iter()
        .map(|strategy| {
            let settings = Settings {
                strategy,
                ..Settings::default()
            };
            let inputs = Inputs {
                rules: Some(rules.clone()),
                labels: Some(labels.clone()),
            };
            (strategy.as_str(), build_with(&settings, inputs).unwrap())
        })
        .collect();
        let mut g = c.benchmark_group(format!("group {n} entries"));
        g.sample_size(10);
        for (name, grouper) in &strategies {
            let mut checked = false;
            g.bench_function(BenchmarkId::new(*name, n), |b| {
                // A grouping that groups nothing would measure nothing. (Checked here, not
                // before, so that a filtered run does not group everything once.)
                if !checked {
                    let once = group::group_category(grouper.as_ref(), "Features", &s.items, &ctx)
                        .unwrap();
                    assert!(!once.groups.is_empty(), "{name} grouped nothing");
                    checked = true;
                }
                b.iter(|| {
                    group::group_category(grouper.as_ref(), "Features", &s.items, &ctx).unwrap()
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
