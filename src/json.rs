//! JSON of the library's plain data (state files, `--format json` views).

/// Pretty JSON of `value`, with a final newline.
///
/// The values written are plain data: structs of strings, numbers, lists and maps with
/// string keys, for which serde_json cannot fail.
#[allow(clippy::expect_used)]
pub fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("plain data always serialises") + "\n"
}
