//! The JSON shape of a release section (`gold.json`'s).

use serde::Serialize;

/// A release as plain, serialisable data: `{"version","date","categories":[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseView {
    pub version: Option<String>,
    pub date: Option<String>,
    pub categories: Vec<CategoryView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryView {
    pub name: String,
    pub groups: Vec<GroupView>,
}

/// A subsection, or (with `title: None`) the entries listed directly under a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupView {
    pub title: Option<String>,
    /// The description paragraph; empty when there is none.
    pub description: String,
    /// True for an "Other …" subsection.
    pub other: bool,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemView {
    /// The first PR, or `null`.
    pub pr: Option<u64>,
    pub prs: Vec<u64>,
    pub text: String,
}

// ---------------------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------------------
