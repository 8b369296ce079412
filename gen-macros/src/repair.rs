//! Repairs an unfinished line (one being typed) in a macro's argument, so that the rest of the
//! body still expands and rust-analyzer still completes, hovers and resolves in it.
//!
//! rust-analyzer repairs syntax errors in an attribute macro's input, but not inside macro calls
//! such as `yield_!(…)` or `gen_!(…)`: there the tokens reach us as typed. Two shapes of
//! unfinished code are repaired, at any depth but never inside another macro's arguments (whose
//! grammar is that macro's):
//!
//! ```text
//! v.          ==>  v.__corogen_unfinished(::core::compile_error!("… after this `.`"))
//! total +;    ==>  total + ::core::compile_error!("… after this `+`");
//! ```
//!
//! The `compile_error!` is the mistake's one error, at the `.` or the operator. It is an error
//! expression, which rustc checks no further, so nothing else is reported: the method (from the
//! runtime's `Unfinished`, imported by every expansion) returns any type, and an operand of the
//! error type satisfies any operator. The user's `v` stays a real expression of its own type, at
//! the same place in the expansion as in the finished line's: rust-analyzer's completion relies
//! on both.
//!
//! An argument that no repair completes is kept for editors only ([`keep_unparsed`]).

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::quote_spanned;
use syn::Expr;

/// `tokens` with each unfinished `.` and operator completed, or `None` when there was none.
pub fn repair(tokens: TokenStream) -> Option<TokenStream> {
    let mut repaired = false;
    let out = repair_stream(tokens, &mut repaired);
    repaired.then_some(out)
}

/// Binary operators whose right operand may be missing. Left out: `<`, `>`, `>>`, which also
/// close generics (`as Vec<Vec<u8>>;`), and the unary-only `!`.
const OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "%", "^", "&", "|", "&&", "||", "==", "!=", "<=", ">=", "<<", "=", "+=",
    "-=", "*=", "/=", "%=", "^=", "&=", "|=", "<<=", ">>=", "=>",
];

fn repair_stream(tokens: TokenStream, repaired: &mut bool) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut index = 0;
    while index < tokens.len() {
        match &tokens[index] {
            TokenTree::Group(group) => {
                // `name!(…)`: another macro's arguments, kept as they are.
                let is_macro_call = index >= 2
                    && matches!(&tokens[index - 1], TokenTree::Punct(p) if p.as_char() == '!')
                    && matches!(&tokens[index - 2], TokenTree::Ident(_));
                let stream = if is_macro_call {
                    group.stream()
                } else {
                    repair_stream(group.stream(), repaired)
                };
                let mut new_group = Group::new(group.delimiter(), stream);
                new_group.set_span(group.span());
                out.push(TokenTree::Group(new_group));
                index += 1;
            }
            TokenTree::Punct(_) => {
                let (operator, end) = operator_at(&tokens, index);
                let first = &tokens[index];
                out.extend(tokens[index..end].iter().cloned());
                // Only where an operand came before: not the glob in `use a::{b, *};`.
                let follows_operand = index >= 1
                    && match &tokens[index - 1] {
                        TokenTree::Ident(_) | TokenTree::Literal(_) | TokenTree::Group(_) => true,
                        TokenTree::Punct(p) => p.as_char() == '?',
                    };
                let is_dot = operator == ".";
                let is_operator = follows_operand && OPERATORS.contains(&operator.as_str());
                if (is_dot || is_operator) && is_terminator(tokens.get(end)) {
                    // `+` before `;` is joint; before what is inserted it must not be.
                    if let Some(TokenTree::Punct(last)) = out.pop() {
                        let mut alone = Punct::new(last.as_char(), Spacing::Alone);
                        alone.set_span(last.span());
                        out.push(TokenTree::Punct(alone));
                    }
                    if is_dot {
                        out.extend(missing_name(first.span()));
                    } else {
                        let message = format!(
                            "unfinished expression: an operand is missing after this `{operator}`"
                        );
                        out.extend(compile_error(&message, first.span()));
                    }
                    *repaired = true;
                }
                index = end;
            }
            other => {
                out.push(other.clone());
                index += 1;
            }
        }
    }
    out.into_iter().collect()
}

/// Operators of more than one character that are not in `OPERATORS`.
const OTHER_COMPOUNDS: &[&str] = &["..", "...", "..=", "::", "->", "<-", ">>"];

/// The operator that starts at `tokens[start]`, and the index after it: the longest run of
/// joint punctuation that is one operator (`+;` is `+` then `;`, though `+` is joint there).
fn operator_at(tokens: &[TokenTree], start: usize) -> (String, usize) {
    let mut run = String::new();
    let mut index = start;
    while let Some(TokenTree::Punct(punct)) = tokens.get(index) {
        run.push(punct.as_char());
        index += 1;
        if punct.spacing() == Spacing::Alone || run.len() == 3 {
            break;
        }
    }
    let length = (1..=run.len())
        .rev()
        .find(|&length| {
            let prefix = &run[..length];
            length == 1 || OPERATORS.contains(&prefix) || OTHER_COMPOUNDS.contains(&prefix)
        })
        .unwrap_or(1);
    (run[..length].to_owned(), start + length)
}

/// Whether an expression cannot go on at `next`: the end of its group, `;` or `,`.
fn is_terminator(next: Option<&TokenTree>) -> bool {
    match next {
        None => true,
        Some(TokenTree::Punct(punct)) => matches!(punct.as_char(), ';' | ','),
        Some(_) => false,
    }
}

/// Input:  `v.` (the `.` at `dot`)
/// Output: `v.__corogen_unfinished(::core::compile_error!("…"))`, the tokens after the `.`
fn missing_name(dot: Span) -> TokenStream {
    let method = Ident::new("__corogen_unfinished", Span::mixed_site().located_at(dot));
    let error = compile_error(
        "unfinished expression: a field or method name is missing after this `.`",
        dot,
    );
    let mut arguments = Group::new(Delimiter::Parenthesis, error);
    arguments.set_span(Span::mixed_site().located_at(dot));
    [TokenTree::Ident(method), TokenTree::Group(arguments)]
        .into_iter()
        .collect()
}

/// `::core::compile_error!("message")`, spanned at the mistake.
fn compile_error(message: &str, at: Span) -> TokenStream {
    quote_spanned!(at=> ::core::compile_error!(#message))
}

/// Input:  `yield_!(helper(n n))`, an argument that does not parse (nor after `repair.rs`)
/// Output: `{ unparsed!(helper(n n)); (compile_error!("…")) }`
/// The `compile_error!` is the mistake's one error, where syn found it, and has the error
/// type, so that rustc reports nothing else about this yield. For rustc `unparsed!` expands
/// to nothing (its tokens are not even parsed); under rust-analyzer, which sets
/// `cfg(rust_analyzer)` on the user's crates, it puts the user's tokens in an expression, so
/// that the editor still completes and resolves `helper` and `n` in them (it parses what it
/// can of a broken expression).
pub fn keep_unparsed(private: &TokenStream, mac: &syn::Macro, error: &syn::Error) -> Expr {
    let tokens = &mac.tokens;
    let mixed = Span::mixed_site();
    let error = error.to_compile_error();
    Expr::Verbatim(quote_spanned! {mixed=>
        {
            #private::unparsed!(#tokens);
            // In parentheses: `compile_error! { … }` would be a statement, not the value.
            (#error)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::repair;
    use proc_macro2::TokenStream;

    fn repaired(source: &str) -> Option<String> {
        let tokens: TokenStream = source.parse().expect("test input lexes");
        repair(tokens).map(|tokens| tokens.to_string())
    }

    #[test]
    fn completes_a_trailing_dot() {
        let out = repaired("v.").expect("repaired");
        assert!(out.starts_with("v . __corogen_unfinished (:: core :: compile_error !"));
        let out = repaired("{ let n = items.; n }").expect("repaired");
        assert!(out.contains("items . __corogen_unfinished ("), "{out}");
        assert!(out.ends_with("; n }"), "{out}");
        assert!(repaired("f(x.y.)").is_some());
    }

    #[test]
    fn completes_a_missing_operand() {
        let out = repaired("{ total +; }").expect("repaired");
        assert!(out.contains("total + :: core :: compile_error !"), "{out}");
        assert!(out.contains("`+`"), "{out}");
        assert!(repaired("n <<=").is_some());
        assert!(repaired("(a, b ==)").is_some());
    }

    #[test]
    fn leaves_finished_code_alone() {
        for source in [
            "v.len()",
            "{ let r = 0..; let s = ..; }",
            "{ use std::io::*; use a::{b, *}; }",
            "{ let v = x as Vec<Vec<u8>>; }",
            "{ let f = || 1; f(); }",
            "{ x?; -y; !z; &w; *p = 1; }",
            "{ match x { A => 1, _ => 2 } }",
            "{ let v: Vec<u8>= Vec::new(); }",
        ] {
            assert_eq!(repaired(source), None, "{source}");
        }
    }

    #[test]
    fn leaves_other_macros_arguments_alone() {
        assert_eq!(repaired(r#"{ println!("{}", v.); }"#), None);
        assert!(repaired(r#"{ println!("{}", v.); w. }"#).is_some());
    }
}
