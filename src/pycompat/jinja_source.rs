//! The template's text, made to mean to minijinja what it means to towncrier's Jinja2
//! before it is compiled, in one pass over minijinja's tokens:
//!
//! - list literals become mutable Python lists (see [`rewrite_source`]);
//! - string literals with backslash escapes are decoded as Jinja2 decodes them (Python's
//!   `unicode-escape` codec: `\x41`, `\u00e9`, `\U0001F600`, `\101`, `\a`, `\v`, an unknown
//!   escape kept as it is) and written back with escapes minijinja reads the same way;
//!   `\N{NAME}` (a character by its Unicode name) is refused by name;
//! - the tags Jinja2 only has through extensions (`do`, `break`, `continue`) are refused:
//!   towncrier's `Template(src, trim_blocks=True)` enables none, so Jinja2 stops with a
//!   syntax error there, and so must a build here; so is a macro signature ending with a
//!   comma, which Jinja2's parser refuses;
//! - a macro whose body reads `varargs` or `kwargs` is defined under another name with
//!   those two as arguments, and its own name set to a wrapper ([`VARIADIC_FN`]) that
//!   passes the arguments its signature does not name as Jinja2 does; a call block's body
//!   that reads them gets its own, the call passing it wrapped as `caller` ([`CALLER_FN`]);
//!   a name set (`set`, `for`, `with`, a nested macro's argument) before it is read, or an
//!   argument of the macro's own, is no longer the macro's `varargs`, as in Jinja2;
//!
//! and then, when the template has a `%`, a `~`, a `**`, a method's name after a `.`, or a
//! macro default that names an argument, over minijinja's syntax tree:
//!
//! - `a % b` becomes a call of [`MOD_FN`], which is Python's `%` (string formatting on a
//!   string, the remainder on numbers): minijinja has no `%` for strings;
//! - `a ~ b` becomes a call of [`CONCAT_FN`]: Python's `str()` of each side (minijinja
//!   writes `1e20` as `100000000000000000000.0`, a macro as `<macro m>`);
//! - `a ** b` becomes a call of [`POW_FN`], Python's power;
//! - `a + b` and `a * b` become calls of [`ADD_FN`] and [`MUL_FN`]: a `Markup` plus text
//!   escapes the text (markupsafe), a sequence times a float fails (Python's `TypeError`);
//!   anything else is minijinja's operator;
//! - `x.name`, not called, where `name` is a method of Python's `str`, `dict` or `list` (or
//!   of `loop`, a `cycler`), becomes a call of [`GETATTR_FN`]: Jinja2's `getattr` finds the
//!   method before any item of that name (`d.items` is the method, whatever `d` holds);
//! - a macro argument's default that reads an earlier argument (`{% macro m(a, b=a) %}`)
//!   is computed at the top of the macro's body, as Jinja2 computes it (minijinja
//!   evaluates defaults before the earlier arguments are bound).

use std::borrow::Cow;
use std::fmt::Write as _;

/// The function list literals are rewritten into.
pub(crate) const LIST_FN: &str = "__git_release_list";

/// The function `a % b` is rewritten into.
pub(crate) const MOD_FN: &str = "__git_release_mod";

/// The function `a ** b` is rewritten into (Python's power, which fails where Python's
/// does).
pub(crate) const POW_FN: &str = "__git_release_pow";

/// The function `a + b` is rewritten into: markupsafe's `Markup.__add__` (the other side
/// escaped), else minijinja's `+`.
pub(crate) const ADD_FN: &str = "__git_release_add";

/// The function `a * b` is rewritten into: Python's `TypeError` for a sequence times a
/// float, else minijinja's `*`.
pub(crate) const MUL_FN: &str = "__git_release_mul";

/// The function `a ~ b` is rewritten into.
pub(crate) const CONCAT_FN: &str = "__git_release_concat";

/// The function `x.name` is rewritten into where `name` is a method's (see the module
/// documentation).
pub(crate) const GETATTR_FN: &str = "__git_release_getattr";

/// The function a macro whose body reads `varargs` or `kwargs` is wrapped in (see
/// [`rewrite_source`]).
pub(crate) const VARIADIC_FN: &str = "__git_release_variadic";

/// The function the call a call block makes is wrapped in when the block's body reads
/// `varargs` or `kwargs`: it passes the body, as `caller`, wrapped as [`VARIADIC_FN`] does.
pub(crate) const CALLER_FN: &str = "__git_release_caller";
const CALLER_OPEN: &str = "__git_release_caller(";

/// The prefix of the name such a macro is defined under, inside the wrapper.
const VARIADIC_MACRO: &str = "__git_release_macro_";

/// A macro (or a call block's body, Jinja2's `caller`) being read, for `varargs`/`kwargs`:
/// its name and where it stands, where its signature closes, its arguments, whether its
/// body reads `varargs` or `kwargs`, and whether that was decided (Jinja2 looks at the first
/// time the name appears: read, it is the macro's; set, looped over or a nested macro's
/// argument, it never is; an argument of the macro's own, neither).
struct MacroFrame<'s> {
    name: &'s str,
    name_at: (usize, usize),
    close: Option<(usize, bool)>,
    args: Vec<&'s str>,
    reads: (bool, bool),
    decided: (bool, bool),
    call: Option<CallSite>,
}

impl MacroFrame<'_> {
    fn new(name: &str, name_at: (usize, usize), call: Option<CallSite>) -> MacroFrame<'_> {
        MacroFrame {
            name,
            name_at,
            close: None,
            args: Vec::new(),
            reads: (false, false),
            decided: (false, false),
            call,
        }
    }

    /// `varargs` (`kwargs`) appears: read (`load`) or set.
    fn see(&mut self, name: &str, load: bool) {
        let (decided, reads) = if name == "varargs" {
            (&mut self.decided.0, &mut self.reads.0)
        } else {
            (&mut self.decided.1, &mut self.reads.1)
        };
        if !*decided {
            *decided = true;
            *reads = load;
        }
    }
}

/// Where a `{% call %}` tag stands: whether it has a signature, the token after `call`,
/// and in the call it makes, the start and the `(` of its (last) argument list.
#[derive(Default)]
struct CallSite {
    parens: bool,
    after_tag: usize,
    phase: CallPhase,
    expr_start: usize,
    open: usize,
    depth: usize,
}

#[derive(Default, PartialEq, Eq, Clone, Copy)]
enum CallPhase {
    /// Just after `call`.
    #[default]
    Tag,
    /// In `(…)`, the signature of the body.
    Signature,
    /// The signature closed: the call starts at the next token.
    Closed,
    /// In the call.
    Call,
    /// The tag ended.
    Body,
}

/// The name a rewritten default is given: never defined, so the argument starts undefined.
const MISSING: &str = "__git_release_missing";

/// Rewrite a template's text for minijinja (see the module documentation). The `Err` is
/// the message for a construct towncrier's Jinja2 refuses or git-release cannot reproduce,
/// with its line.
///
/// List literals: Jinja2 lists are Python lists, and templates rely on it: towncrier's
/// default Markdown template does `{% set issue_pks = [] %}` … `{% set _ =
/// issue_pks.append(…) %}`. A `[` opens a literal unless it follows something that ends an
/// operand (a name that is not a keyword, a string, a number, `)`, `]` or `}`); it becomes
/// a call of [`LIST_FN`] and its `]` a `)`. Line structure is kept, so error line numbers
/// still point at the user's template. On a tokenizer error the text is returned as far as
/// rewritten, for minijinja to report.
pub fn rewrite_source(source: &str) -> Result<Cow<'_, str>, String> {
    use minijinja::machinery::{Token, tokenize};
    const KEYWORDS: &[&str] = &[
        "and",
        "or",
        "not",
        "in",
        "is",
        "if",
        "else",
        "elif",
        "for",
        "set",
        "with",
        "include",
        "extends",
        "import",
        "from",
        "as",
        "print",
        "return",
        "call",
        "filter",
        "macro",
        "block",
        "autoescape",
        "do",
        "recursive",
    ];
    let mut edits: Vec<(usize, usize, Cow<'_, str>)> = Vec::new();
    let mut stack: Vec<bool> = Vec::new();
    let mut prev_is_operand = false;
    let mut prev_block_start = false;
    let mut prev_comma: Option<(usize, usize)> = None;
    let mut needs_tree = false;
    // A `~`: Python's `str()` of each side.
    let mut has_tilde = false;
    // A macro's signature being read: its depth in parentheses, the argument names so far,
    // and whether the next name is an argument's (else it is in a default).
    let mut signature: Option<(usize, Vec<&str>, bool)> = None;
    // The macros open at this point (nested ones inside), and the one whose `endmacro`
    // was just read.
    let mut macros: Vec<MacroFrame<'_>> = Vec::new();
    let mut ended: Option<MacroFrame<'_>> = None;
    let (mut prev_macro_tag, mut prev_dot) = (false, false);
    // In the targets of a `set`, `for` or `with` tag.
    let mut target = false;
    // The line of the last token read: minijinja's lexer errors carry none.
    let mut line = 1;
    for item in tokenize(source, false, Default::default()) {
        let (token, span) = match item {
            Ok(item) => item,
            // minijinja's lexer decodes escapes first: one it cannot read stops it.
            Err(e) if e.kind() == minijinja::ErrorKind::BadEscape => {
                return Err(format!(
                    "a string literal has an escape git-release cannot read as Jinja2 does \
                     (a truncated `\\x`/`\\u` escape, an octal escape above `\\377`, a \
                     `\\u` surrogate); write the character itself (line {})",
                    e.line().unwrap_or(line)
                ));
            }
            Err(_) => break,
        };
        let (start, end) = (span.start_offset as usize, span.end_offset as usize);
        line = usize::from(span.end_line);
        match token {
            Token::BracketOpen => {
                let literal = !prev_is_operand;
                if literal {
                    edits.push((start, end, Cow::Borrowed("__git_release_list(")));
                }
                stack.push(literal);
            }
            // The `]` of a literal.
            Token::BracketClose if stack.pop() == Some(true) => {
                // `[a, b,]` is fine in Jinja2; drop the comma so the call is too.
                if let Some((cs, ce)) = prev_comma {
                    edits.push((cs, ce, Cow::Borrowed("")));
                }
                edits.push((start, end, Cow::Borrowed(")")));
            }
            Token::Ident(tag @ ("do" | "break" | "continue")) if prev_block_start => {
                return Err(format!(
                    "`{{% {tag} %}}` is not a tag of towncrier's Jinja2, which enables no \
                     extensions (`do`, `loopcontrols`) and stops with a syntax error there \
                     (line {})",
                    span.start_line
                ));
            }
            Token::Mod | Token::Plus | Token::Mul => needs_tree = true,
            Token::Pow => needs_tree = true,
            Token::Tilde => has_tilde = true,
            Token::Ident(name) if prev_dot && super::jinja_builtins::is_method_name(name) => {
                needs_tree = true
            }
            Token::Ident("macro") if prev_block_start => signature = Some((0, Vec::new(), false)),
            Token::String(_) => {
                let raw = &source[start..end];
                let text = super::strings::py_unescape(&raw[1..raw.len() - 1])
                    .map_err(|m| format!("{m} (line {})", span.start_line))?;
                edits.push((start, end, Cow::Owned(minijinja_literal(&text))));
            }
            _ => {}
        }
        // Jinja2 gives a macro whose body reads `varargs` (`kwargs`) the positional
        // (keyword) arguments its signature does not name; minijinja refuses them. Such a
        // macro is defined under another name with two more arguments, and its name set to
        // a wrapper that fills them ([`VARIADIC_FN`]).
        let in_call_tag = macros
            .last()
            .and_then(|m| m.call.as_ref())
            .is_some_and(|c| c.phase != CallPhase::Body);
        match token {
            Token::Ident(name) if prev_macro_tag => {
                macros.push(MacroFrame::new(name, (start, end), None));
            }
            Token::Ident("call") if prev_block_start => {
                let site = CallSite {
                    after_tag: end,
                    ..CallSite::default()
                };
                macros.push(MacroFrame::new("caller", (start, end), Some(site)));
            }
            Token::Ident("endmacro" | "endcall") if prev_block_start => ended = macros.pop(),
            Token::Ident(name @ ("varargs" | "kwargs")) if !prev_dot => {
                let top = macros.len().saturating_sub(1);
                match &signature {
                    // An argument of the macro being defined: its own (never caught), and
                    // set for the macros around it.
                    Some((1, _, true)) => {
                        for m in &mut macros {
                            m.see(name, false);
                        }
                    }
                    // A default: read by the macros around it.
                    Some((depth, _, _)) if *depth > 0 => {
                        for m in &mut macros[..top] {
                            m.see(name, true);
                        }
                    }
                    // The call a call block makes: read by the macros around it.
                    _ if in_call_tag => {
                        for m in &mut macros[..top] {
                            m.see(name, true);
                        }
                    }
                    // Jinja2 looks into nested macros and call blocks too.
                    _ => {
                        for m in &mut macros {
                            m.see(name, !target);
                        }
                    }
                }
            }
            Token::BlockEnd if ended.is_some() => {
                if let Some(m) = ended.take().filter(|m| m.reads != (false, false)) {
                    variadic_edits(source, &m, (start, end), &mut edits);
                }
            }
            _ => {}
        }
        // The targets of `set`, `for` and `with`: what they name is set, not read.
        match token {
            Token::Ident("set" | "for" | "with") if prev_block_start => target = true,
            Token::Assign | Token::Ident("in") | Token::BlockEnd => target = false,
            _ => {}
        }
        if in_call_tag && let Some(site) = macros.last_mut().and_then(|m| m.call.as_mut()) {
            if site.phase == CallPhase::Tag {
                if matches!(token, Token::ParenOpen) {
                    site.parens = true;
                    site.phase = CallPhase::Signature;
                    signature = Some((0, Vec::new(), false));
                } else {
                    site.phase = CallPhase::Closed;
                }
            }
            if site.phase == CallPhase::Closed {
                site.expr_start = start;
                site.phase = CallPhase::Call;
            }
            if site.phase == CallPhase::Call {
                match token {
                    Token::ParenOpen | Token::BracketOpen | Token::BraceOpen => {
                        if site.depth == 0 && matches!(token, Token::ParenOpen) {
                            site.open = start;
                        }
                        site.depth += 1;
                    }
                    Token::ParenClose | Token::BracketClose | Token::BraceClose => {
                        site.depth = site.depth.saturating_sub(1);
                    }
                    Token::BlockEnd => site.phase = CallPhase::Body,
                    _ => {}
                }
            }
        }
        // Only a default that reads an argument needs the tree (towncrier's own template
        // has a macro, without defaults).
        if let Some((depth, names, expect_name)) = &mut signature {
            match token {
                Token::ParenOpen => {
                    *depth += 1;
                    *expect_name = *depth == 1;
                }
                Token::ParenClose => {
                    if *depth == 1 && prev_comma.is_some() {
                        return Err(format!(
                            "a macro's signature ends with a comma, which Jinja2 refuses \
                             (\"expected token 'name', got ')'\") (line {})",
                            span.start_line
                        ));
                    }
                    *depth = depth.saturating_sub(1);
                    if *depth == 0
                        && let Some(m) = macros.last_mut().filter(|m| m.close.is_none())
                    {
                        m.close = Some((start, names.is_empty()));
                        m.args = names.clone();
                        if let Some(site) = m.call.as_mut() {
                            site.phase = CallPhase::Closed;
                        }
                    }
                }
                Token::Comma if *depth == 1 => *expect_name = true,
                Token::Ident(name) if *expect_name && *depth == 1 => {
                    names.push(name);
                    *expect_name = false;
                }
                Token::Ident(name) if names.contains(&name) => needs_tree = true,
                Token::BlockEnd => signature = None,
                _ => {}
            }
        }
        prev_macro_tag = prev_block_start && matches!(token, Token::Ident("macro"));
        prev_dot = matches!(token, Token::Dot);
        prev_block_start = matches!(token, Token::BlockStart);
        prev_comma = matches!(token, Token::Comma).then_some((start, end));
        prev_is_operand = match token {
            Token::Ident(name) => !KEYWORDS.contains(&name),
            Token::Str(_)
            | Token::String(_)
            | Token::Int(_)
            | Token::Int128(_)
            | Token::Float(_)
            | Token::ParenClose
            | Token::BracketClose
            | Token::BraceClose => true,
            _ => false,
        };
    }
    let rewritten = apply(source, edits);
    let concat = has_tilde;
    if !needs_tree && !concat {
        return Ok(rewritten);
    }
    // The operators first, then the macro defaults over that text: a default copied into
    // the macro's body carries its operators rewritten.
    let operators = rewrite_tree(&rewritten, concat, false);
    let text = operators.as_deref().unwrap_or(&rewritten);
    match rewrite_tree(text, false, true).or(operators) {
        Some(text) => Ok(Cow::Owned(text)),
        None => Ok(rewritten),
    }
}

/// The edits that define a macro reading `varargs`/`kwargs` under another name, with the
/// ones it reads as arguments, and set its own name to the wrapper (after its `endmacro`
/// tag, which ends at `tag_end`; a `-%}` there strips what follows the wrapper's tag
/// instead). A call block's body gets the arguments, and the call it makes is given a
/// wrapper of its body as `caller` ([`CALLER_FN`]).
fn variadic_edits<'s>(
    source: &'s str,
    m: &MacroFrame<'s>,
    tag_end: (usize, usize),
    edits: &mut Vec<(usize, usize, Cow<'s, str>)>,
) {
    let mut extra = Vec::new();
    if m.reads.0 {
        extra.push("varargs=()");
    }
    if m.reads.1 {
        extra.push("kwargs={}");
    }
    let extra = extra.join(", ");
    let args: Vec<String> = m.args.iter().map(|a| format!("{a:?}")).collect();
    let args = args.join(", ");
    if let Some(site) = &m.call {
        if site.phase != CallPhase::Body || site.open <= site.expr_start {
            return;
        }
        match m.close {
            Some((close, bare)) if site.parens => {
                let comma = if bare { "" } else { ", " };
                edits.push((close, close, Cow::Owned(format!("{comma}{extra}"))));
            }
            _ => edits.push((
                site.after_tag,
                site.after_tag,
                Cow::Owned(format!("({extra})")),
            )),
        }
        edits.push((site.expr_start, site.expr_start, Cow::Borrowed(CALLER_OPEN)));
        edits.push((
            site.open,
            site.open,
            Cow::Owned(format!(", [{args}], {}, {})", m.reads.0, m.reads.1)),
        ));
        return;
    }
    let Some((close, bare)) = m.close else {
        return;
    };
    let (start, end) = m.name_at;
    edits.push((
        start,
        end,
        Cow::Owned(format!("{VARIADIC_MACRO}{}", m.name)),
    ));
    let comma = if bare { "" } else { ", " };
    edits.push((close, close, Cow::Owned(format!("{comma}{extra}"))));
    let trim = if source[tag_end.0..tag_end.1].starts_with('-') {
        "-"
    } else {
        ""
    };
    edits.push((
        tag_end.1,
        tag_end.1,
        Cow::Owned(format!(
            "{{%{trim} set {name} = {VARIADIC_FN}({VARIADIC_MACRO}{name}, {name:?}, [{args}], \
             {}, {}) {trim}%}}",
            m.reads.0,
            m.reads.1,
            name = m.name,
        )),
    ));
}

/// `source` with each `(start, end, text)` edit made (a stable sort by `start`: edits at
/// one offset are made in the order given).
fn apply<'a>(source: &'a str, mut edits: Vec<(usize, usize, Cow<'_, str>)>) -> Cow<'a, str> {
    if edits.is_empty() {
        return Cow::Borrowed(source);
    }
    // An insertion before a replacement at the same place.
    edits.sort_by_key(|e| (e.0, e.1));
    let mut out = String::with_capacity(source.len() + edits.len() * 20);
    let mut pos = 0;
    for (start, end, replacement) in edits {
        out.push_str(&source[pos..start]);
        out.push_str(&replacement);
        pos = end;
    }
    out.push_str(&source[pos..]);
    Cow::Owned(out)
}

/// The operator rewrites (`%`, `~` where `concat`, `**`, a method's name after a dot) or
/// (`defaults`) the macro-default ones (see the module documentation), made on minijinja's
/// syntax tree as JSON; `None` when there is nothing to change or the text does not parse
/// (minijinja then reports it).
fn rewrite_tree(source: &str, concat: bool, defaults: bool) -> Option<String> {
    use serde_json::Value as J;
    // The tree is read for its spans: an integer literal past i64 (which serde_json cannot
    // hold, so no operator anywhere would be rewritten) is parsed as zeros of its length.
    let masked = mask_big_integers(source);
    let tree = minijinja::machinery::parse(&masked, "<template>", Default::default()).ok()?;
    let tree = serde_json::to_value(&tree).ok()?;
    // The text an expression covers: from the first to the last offset of the spans in it
    // (minijinja's span of a call starts at its `(`, and so do those built on it).
    let span = |node: &J| -> Option<(usize, usize)> {
        let mut extent: Option<(usize, usize)> = None;
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            match n {
                J::Array(items) => stack.extend(items),
                J::Object(map) => {
                    if let (Some(start), Some(end)) = (
                        map.get("start_offset").and_then(J::as_u64),
                        map.get("end_offset").and_then(J::as_u64),
                    ) {
                        let (start, end) = (start as usize, end as usize);
                        extent =
                            Some(extent.map_or((start, end), |(s, e)| (s.min(start), e.max(end))));
                    }
                    stack.extend(map.values());
                }
                _ => {}
            }
        }
        node.get("inner")?.get(1)?;
        extent
    };
    let mut edits: Vec<(usize, usize, Cow<'_, str>)> = Vec::new();
    // The spans of the expressions that are called (`d.items()`): a method call, left alone.
    let mut callees: Vec<(usize, usize)> = Vec::new();
    let mut stack = vec![&tree];
    while let Some(node) = stack.pop() {
        match node {
            J::Array(items) => stack.extend(items.iter().rev()),
            J::Object(map) => {
                let inner = map.get("inner").and_then(|i| i.get(0));
                let kind = map.get("expr").and_then(J::as_str);
                if kind == Some("Call")
                    && let Some(callee) = inner.and_then(|i| i.get("expr")).and_then(span)
                {
                    callees.push(callee);
                }
                if !defaults
                    && kind == Some("GetAttr")
                    && let Some(name) = inner.and_then(|i| i.get("name")).and_then(J::as_str)
                    && super::jinja_builtins::is_method_name(name)
                    && !callees.contains(&span(node)?)
                {
                    let (start, end) = span(node)?;
                    let (_, object_end) = span(inner?.get("expr")?)?;
                    edits.push((start, start, Cow::Owned(format!("{GETATTR_FN}("))));
                    edits.push((object_end, end, Cow::Owned(format!(", {name:?})"))));
                }
                let binop = (map.get("expr").and_then(J::as_str) == Some("BinOp"))
                    .then(|| inner.and_then(|i| i.get("op")).and_then(J::as_str))
                    .flatten();
                let call = match binop {
                    _ if defaults => None,
                    Some("Rem") => Some((MOD_FN, "%")),
                    Some("Concat") if concat => Some((CONCAT_FN, "~")),
                    Some("Pow") => Some((POW_FN, "**")),
                    Some("Add") => Some((ADD_FN, "+")),
                    Some("Mul") => Some((MUL_FN, "*")),
                    _ => None,
                };
                if let Some((function, sign)) = call {
                    let (start, end) = span(node)?;
                    let (left, right) = (inner?.get("left")?, inner?.get("right")?);
                    let (_, left_end) = span(left)?;
                    let (right_start, _) = span(right)?;
                    let op = left_end + source.get(left_end..right_start)?.find(sign)?;
                    edits.push((start, start, Cow::Owned(format!("{function}("))));
                    edits.push((op, op + sign.len(), Cow::Borrowed(",")));
                    // Jinja2 folds a negative base into a constant and writes it `-2 ** x`
                    // in the Python it generates: `-(2 ** x)` (see `py_pow`).
                    let quirk = sign == "**" && negative_constant(left) && !is_constant(right);
                    edits.push((end, end, Cow::Borrowed(if quirk { ", true)" } else { ")" })));
                }
                if defaults && map.get("stmt").and_then(J::as_str) == Some("Macro") {
                    macro_defaults(source, inner?, &span, &mut edits)?;
                }
                stack.extend(map.values().rev());
            }
            _ => {}
        }
    }
    // Edits that overlap (never made by the rules above) leave the text to minijinja.
    edits.sort_by_key(|e| e.0);
    if edits.windows(2).any(|w| w[1].0 < w[0].1) {
        return None;
    }
    match apply(source, edits) {
        Cow::Owned(text) => Some(text),
        Cow::Borrowed(_) => None,
    }
}

/// `source` with each integer literal past i64 written as zeros (same length, same offsets).
fn mask_big_integers(source: &str) -> Cow<'_, str> {
    use minijinja::machinery::{Token, tokenize};
    let mut edits: Vec<(usize, usize, Cow<'_, str>)> = Vec::new();
    for item in tokenize(source, false, Default::default()) {
        let Ok((token, span)) = item else { break };
        if matches!(token, Token::Int128(_)) {
            let (start, end) = (span.start_offset as usize, span.end_offset as usize);
            edits.push((start, end, Cow::Owned("0".repeat(end - start))));
        }
    }
    apply(source, edits)
}

/// Whether Jinja2 folds this expression into a constant when it compiles the template:
/// nothing in it reads a variable, calls a function or applies a filter that needs the
/// context.
fn is_constant(node: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match node {
        J::Array(items) => items.iter().all(is_constant),
        J::Object(map) => {
            let kind = map.get("expr").and_then(J::as_str);
            let filter = (kind == Some("Filter"))
                .then(|| map.get("inner")?.get(0)?.get("name")?.as_str())
                .flatten();
            !matches!(kind, Some("Var" | "Call"))
                && !matches!(
                    filter,
                    Some("map" | "select" | "reject" | "selectattr" | "rejectattr")
                )
                && map.values().all(is_constant)
        }
        _ => true,
    }
}

/// A negative number literal (`-2`, `-1.5`), which Jinja2 folds into one constant.
fn negative_constant(node: &serde_json::Value) -> bool {
    let inner = |n: &serde_json::Value| n.get("inner").and_then(|i| i.get(0)).cloned();
    let kind = |n: &serde_json::Value| n.get("expr").and_then(|e| e.as_str().map(String::from));
    let number = |n: &serde_json::Value| {
        kind(n).as_deref() == Some("Const")
            && inner(n).and_then(|i| i.get("value")?.as_f64()).is_some()
    };
    match kind(node).as_deref() {
        Some("Const") => inner(node)
            .and_then(|i| i.get("value")?.as_f64())
            .is_some_and(|v| v < 0.0),
        Some("UnaryOp") => inner(node).is_some_and(|i| {
            i.get("op").and_then(|o| o.as_str()) == Some("Neg") && i.get("expr").is_some_and(number)
        }),
        _ => false,
    }
}

/// For each default of a macro that reads an earlier argument: the default becomes
/// [`MISSING`] and the body starts with `{% if b is undefined %}{% set b = … %}{% endif %}`,
/// in argument order.
fn macro_defaults<'s>(
    source: &'s str,
    decl: &serde_json::Value,
    span: &dyn Fn(&serde_json::Value) -> Option<(usize, usize)>,
    edits: &mut Vec<(usize, usize, Cow<'s, str>)>,
) -> Option<()> {
    let args: Vec<&str> = decl
        .get("args")?
        .as_array()?
        .iter()
        .filter_map(|a| a.get("inner")?.get(0)?.get("id")?.as_str())
        .collect();
    let defaults = decl.get("defaults")?.as_array()?;
    // Defaults belong to the last arguments.
    let first_default = args.len().checked_sub(defaults.len())?;
    let mut prologue = String::new();
    let mut signature_end = 0;
    for node in decl.get("args")?.as_array()?.iter().chain(defaults) {
        signature_end = signature_end.max(span(node)?.1);
    }
    for (k, default) in defaults.iter().enumerate() {
        let i = first_default + k;
        let text = default.to_string();
        let reads_earlier = args[..i]
            .iter()
            .any(|a| text.contains(&format!("{{\"id\":\"{a}\"}}")));
        if !reads_earlier {
            continue;
        }
        let (start, end) = span(default)?;
        let _ = write!(
            prologue,
            "{{% if {0} is undefined %}}{{% set {0} = {1} %}}{{% endif %}}",
            args[i],
            &source[start..end]
        );
        edits.push((start, end, Cow::Borrowed(MISSING)));
    }
    if prologue.is_empty() {
        return Some(());
    }
    // The body starts after the `%}` that closes the signature; a `-%}` there strips the
    // whitespace after the prologue instead.
    let close = signature_end + source[signature_end..].find("%}")?;
    if source[..close].ends_with('-') {
        prologue.truncate(prologue.len() - 2);
        prologue.push_str("-%}");
    }
    edits.push((close + 2, close + 2, Cow::Owned(prologue)));
    Some(())
}

/// A string literal that minijinja reads as `text`: only `\\`, `\"`, `\n` and `\r` are
/// escaped (a decoded newline stays on its line, so line numbers hold).
fn minijinja_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrite_leaves_subscripts_and_strings() {
        let src = "{{ a[0] }}{{ f()[1] }}{{ '[x]' }}[data]{% if x in [1] %}{% endif %}";
        assert_eq!(
            rewrite_source(src).unwrap(),
            "{{ a[0] }}{{ f()[1] }}{{ '[x]' }}[data]{% if x in __git_release_list(1) %}{% endif %}"
        );
        assert_eq!(
            rewrite_source("{{ [1, [2,],] }}").unwrap(),
            "{{ __git_release_list(1, __git_release_list(2)) }}"
        );
        assert!(matches!(rewrite_source("no lists"), Ok(Cow::Borrowed(_))));
        // A macro without defaults that read an argument is left as it is.
        let src = "{%- macro heading(level) -%}{{ '#' }}{{ level }}{%- endmacro -%}{% macro m(a, b=x) %}{% endmacro %}";
        assert!(matches!(rewrite_source(src), Ok(Cow::Borrowed(_))));
        // `*` and `+` are Python's (a sequence times a float refused, Markup + text escaped),
        // in a template with an integer literal past i64 too.
        assert_eq!(
            rewrite_source("{{ '#' * level }}{{ a + 99999999999999999999 }}").unwrap(),
            "{{ __git_release_mul('#' , level) }}{{ __git_release_add(a , 99999999999999999999) }}"
        );
        assert_eq!(
            rewrite_source("{% macro m(a, b=a) %}{{ b }}{% endmacro %}").unwrap(),
            "{% macro m(a, b=__git_release_missing) %}{% if b is undefined %}{% set b = a %}{% endif %}{{ b }}{% endmacro %}"
        );
        assert_eq!(
            rewrite_source("{{ 'v%s' % (x ~ 'y') }}").unwrap(),
            "{{ __git_release_mod('v%s' , (__git_release_concat(x , 'y'))) }}"
        );
        // A method's name after a dot, not called: Jinja2's getattr; called: left alone.
        assert_eq!(
            rewrite_source("{{ d.items }}{{ d.items() }}{{ d.name }}{{ (d.items).x }}").unwrap(),
            "{{ __git_release_getattr(d, \"items\") }}{{ d.items() }}{{ d.name }}{{ (__git_release_getattr(d, \"items\")).x }}"
        );
    }

    #[test]
    fn tags_of_jinja2_extensions_are_refused_with_the_line() {
        for (src, tag) in [
            ("{% for x in y %}\n{% break %}{% endfor %}", "break"),
            ("{% for x in y %}{%- continue -%}{% endfor %}", "continue"),
            ("\n\n{% do x.append(1) %}", "do"),
        ] {
            let e = rewrite_source(src).unwrap_err();
            assert!(
                e.contains(&format!("{{% {tag} %}}")) && e.contains("line"),
                "{e}"
            );
        }
        let e = rewrite_source("{{ 'a' }}\n{{ '\\777' }}").unwrap_err();
        assert!(e.contains("octal") && e.contains("line 2"), "{e}");
        // As names they are fine.
        assert!(rewrite_source("{{ do }}{% set break = 1 %}{{ x.continue }}").is_ok());
    }
}
