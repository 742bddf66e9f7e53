//! Python behaviour that towncrier's output depends on, reproduced exactly: string methods
//! ([`strings`]), `str.format` ([`format`]), `%` formatting ([`percent`]), `repr`
//! ([`repr`]), `textwrap` ([`textwrap`]), `fnmatch` ([`fnmatch`]) and Jinja2's environment
//! ([`jinja`], the template text made ready for it in [`jinja_source`]).

pub mod fnmatch;
pub mod format;
pub mod jinja;
pub mod jinja_builtins;
pub mod jinja_source;
pub mod percent;
pub mod repr;
pub mod strings;
pub mod textwrap;
