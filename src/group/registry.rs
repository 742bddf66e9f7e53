//! The strategy registry: every strategy's name, and how it is built from [`Settings`].
//!
//! Adding a strategy means a file implementing [`Grouper`], a variant of [`Strategy`]
//! (with its name in [`Strategy::as_str`]) and an arm in `single`, here, and a paragraph
//! in `strategies/README.md`. The command line and the configuration reader take their
//! list of names from [`Strategy::ALL`] and parse with [`FromStr`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Grouper;
use super::auto::Auto;
use super::command::External;
use super::labels::{Labels, PrLabels};
use super::rules::{Rules, RulesFile};
use super::settings::Settings;
use super::similarity::Similarity;
use crate::error::{Error, Result};

/// A grouping strategy, as `--strategy` and `strategy` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// The strategies of `auto-order` in turn (the default).
    #[default]
    Auto,
    /// Keyword rules from a TOML file.
    Rules,
    /// Clusters of entries whose titles share rare words.
    Similarity,
    /// PR labels mapped to groups.
    Labels,
    /// An external program given the release as JSON (`command`).
    Command,
}

impl Strategy {
    /// Every strategy, in the order help texts list them.
    pub const ALL: [Strategy; 5] = [
        Strategy::Auto,
        Strategy::Rules,
        Strategy::Similarity,
        Strategy::Labels,
        Strategy::Command,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Auto => "auto",
            Strategy::Rules => "rules",
            Strategy::Similarity => "similarity",
            Strategy::Labels => "labels",
            Strategy::Command => "command",
        }
    }

    /// Whether `auto-order` may list it: not `auto` itself, and not `command`, which
    /// groups the whole release at once rather than what earlier passes left.
    pub fn is_auto_pass(self) -> bool {
        !matches!(self, Strategy::Auto | Strategy::Command)
    }

    /// `auto, rules, similarity, labels, command`, for messages.
    pub fn names() -> String {
        Strategy::ALL.map(Strategy::as_str).join(", ")
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Strategy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Strategy> {
        Strategy::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "unknown strategy `{s}`; use one of: {}",
                    Strategy::names()
                ))
            })
    }
}

/// Why an `auto-order` cannot be used, if it cannot: it names each strategy at most once,
/// at least one, and not `auto` itself.
pub fn check_auto_order(order: &[Strategy]) -> std::result::Result<(), String> {
    if order.is_empty() {
        return Err("must name at least one strategy".into());
    }
    for (i, s) in order.iter().enumerate() {
        if *s == Strategy::Auto {
            return Err("cannot contain `auto` itself".into());
        }
        if !s.is_auto_pass() {
            return Err(format!(
                "cannot contain `{s}`: it groups the whole release on its own (use `strategy = \"{s}\"`)"
            ));
        }
        if order[..i].contains(s) {
            return Err(format!("names `{s}` twice"));
        }
    }
    Ok(())
}

/// The data files the settings point to, loaded.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub rules: Option<RulesFile>,
    pub labels: Option<PrLabels>,
}

impl Inputs {
    /// Load the rules and labels files the settings name (errors name the file and the
    /// problem), whatever the strategy: a bad file is reported before anything else.
    pub fn load(settings: &Settings) -> Result<Inputs> {
        Ok(Inputs {
            rules: settings.rules.as_deref().map(RulesFile::load).transpose()?,
            labels: settings
                .labels_from
                .as_deref()
                .map(PrLabels::load)
                .transpose()?,
        })
    }
}

/// Build the configured strategy, loading its data files.
pub fn build(settings: &Settings) -> Result<Box<dyn Grouper>> {
    build_with(settings, Inputs::load(settings)?)
}

/// Build the configured strategy from data already loaded (the files `settings` names
/// are not read).
pub fn build_with(settings: &Settings, inputs: Inputs) -> Result<Box<dyn Grouper>> {
    match settings.strategy {
        Strategy::Auto => {
            check_auto_order(&settings.auto_order)
                .map_err(|e| Error::Usage(format!("the auto-order {e}")))?;
            // Learned rules are evidence for the similarity pass, not claims: only the
            // rules written by hand claim entries. A learned rule whose entries the
            // maintainers mostly kept apart in the releases it was not learned from
            // (`misleads = true`, as `rules learn` checks) is no evidence either.
            let (written, learned) = match &inputs.rules {
                Some(file) => {
                    let (w, mut l) = file.split_learned();
                    l.rules.retain(|r| !r.spec.misleads);
                    (Some(w), Some(l))
                }
                None => (None, None),
            };
            let inputs = Inputs {
                rules: written,
                labels: inputs.labels,
            };
            let passes = settings
                .auto_order
                .iter()
                .filter_map(|&s| {
                    let pass: Box<dyn Grouper> = match (s, &learned) {
                        (Strategy::Similarity, Some(l)) => {
                            Box::new(Similarity::with_hints(settings.similarity, l.clone()))
                        }
                        _ => single(s, settings, &inputs)?,
                    };
                    Some((s.as_str(), pass))
                })
                .collect();
            Ok(Box::new(Auto::new(passes)))
        }
        strategy => single(strategy, settings, &inputs).ok_or_else(|| missing(strategy)),
    }
}

/// One strategy with its settings and inputs; `None` when an input it needs was not
/// given (`auto` then does without it). `auto` is composed in [`build_with`], not here.
fn single(strategy: Strategy, settings: &Settings, inputs: &Inputs) -> Option<Box<dyn Grouper>> {
    match strategy {
        Strategy::Auto => None,
        Strategy::Rules => {
            let file = inputs.rules.clone()?;
            Some(Box::new(Rules::new(file)))
        }
        Strategy::Similarity => Some(Box::new(Similarity::new(settings.similarity))),
        Strategy::Labels => {
            let labels = inputs.labels.clone()?;
            // A `[labels]` table in the rules file maps labels to groups.
            let map = inputs
                .rules
                .as_ref()
                .map(|r| r.labels.clone())
                .unwrap_or_default();
            Some(Box::new(Labels::new(labels, map)))
        }
        Strategy::Command => {
            let run = settings.command.clone()?;
            Some(Box::new(External::new(
                run,
                settings.command_timeout,
                settings.command_dir.clone(),
            )))
        }
    }
}

/// The error for a strategy built without the input it needs.
fn missing(strategy: Strategy) -> Error {
    Error::Usage(match strategy {
        Strategy::Labels => "the labels strategy needs PR labels: pass --labels-from FILE (the output of `gh pr list --json number,labels`)".into(),
        Strategy::Rules => "the rules strategy needs a rules file: pass --rules FILE (or set `rules` in [tool.git-release.consolidate]); `git release rules learn` writes one from your changelog".into(),
        Strategy::Command => "the command strategy needs a command: pass --command CMD (or set `command` in [tool.git-release.consolidate]); strategies/README.md describes the JSON it reads and prints".into(),
        other => format!("the {other} strategy could not be built"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_list_the_valid_ones() {
        for s in Strategy::ALL {
            assert_eq!(s.as_str().parse::<Strategy>().unwrap(), s);
            assert_eq!(s.to_string(), s.as_str());
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        let err = "magic".parse::<Strategy>().unwrap_err().to_string();
        assert!(err.contains("magic") && err.contains("similarity"), "{err}");
    }

    #[test]
    fn missing_inputs_are_clear_errors() {
        for (strategy, needle) in [
            (Strategy::Rules, "--rules FILE"),
            (Strategy::Labels, "--labels-from FILE"),
            (Strategy::Command, "--command CMD"),
        ] {
            let settings = Settings {
                strategy,
                ..Settings::default()
            };
            let err = build(&settings).err().unwrap().to_string();
            assert!(err.contains(needle), "{err}");
        }
        // `auto` does without them.
        assert!(build(&Settings::default()).is_ok());
    }

    #[test]
    fn bad_auto_orders_are_refused() {
        for order in [
            vec![],
            vec![Strategy::Rules, Strategy::Auto],
            vec![Strategy::Similarity, Strategy::Similarity],
            vec![Strategy::Rules, Strategy::Command],
        ] {
            assert!(check_auto_order(&order).is_err(), "{order:?}");
            let settings = Settings {
                auto_order: order,
                ..Settings::default()
            };
            assert!(build(&settings).is_err());
        }
        assert!(check_auto_order(&[Strategy::Similarity, Strategy::Rules]).is_ok());
    }
}
