//! Where generated code finds `corogen`: the `crate = path` option, else the name the user's
//! `Cargo.toml` gives the dependency (it may be renamed, also through the workspace's
//! `[workspace.dependencies]`), else `::corogen`.

use proc_macro2::Span;
use std::cell::RefCell;
use std::path::{Path as FsPath, PathBuf};
use std::time::SystemTime;
use syn::{Ident, Path};

pub fn resolve(option: Option<&Path>) -> Path {
    if let Some(path) = option {
        return path.clone();
    }
    // Inside corogen's own targets (tests, examples, doc tests) `::corogen` resolves too: the
    // library declares `extern crate self as corogen`.
    let name = std::env::var_os("CARGO_MANIFEST_DIR")
        .and_then(|dir| dependency_name(FsPath::new(&dir)))
        .unwrap_or_else(|| "corogen".to_owned());
    let ident = Ident::new(&name.replace('-', "_"), Span::call_site());
    syn::parse_quote!(::#ident)
}

/// A manifest read, when its file was last modified, and the name it gives `corogen`.
struct Answer {
    manifest: PathBuf,
    modified: Option<SystemTime>,
    name: Option<String>,
}

thread_local! {
    /// The last answer, kept while its file is unchanged: a crate's generators are expanded
    /// one after another, in one process (rust-analyzer's included).
    static LAST: RefCell<Option<Answer>> = const { RefCell::new(None) };
}

/// The name the manifest in `dir` gives `corogen`, if it names it at all.
fn dependency_name(dir: &FsPath) -> Option<String> {
    let manifest = dir.join("Cargo.toml");
    let modified = std::fs::metadata(&manifest)
        .and_then(|meta| meta.modified())
        .ok();
    let cached = LAST.with_borrow(|last| match last {
        Some(answer) if answer.manifest == manifest && answer.modified == modified => {
            modified.map(|_| answer.name.clone())
        }
        _ => None,
    });
    if let Some(name) = cached {
        return name;
    }
    let text = std::fs::read_to_string(&manifest).ok()?;
    let workspace = text
        .contains("workspace")
        .then(|| workspace_root(dir))
        .flatten();
    let names = crate::manifest::names_of("corogen", &text, workspace.as_deref());
    let name = names
        .iter()
        .find(|name| *name == "corogen")
        .or(names.first())
        .cloned();
    LAST.set(Some(Answer {
        manifest,
        modified,
        name: name.clone(),
    }));
    name
}

/// The manifest of the workspace `dir`'s package belongs to: the nearest one, from `dir` up,
/// with a `[workspace]` (or `[workspace.…]`) table.
fn workspace_root(dir: &FsPath) -> Option<String> {
    dir.ancestors().find_map(|parent| {
        let text = std::fs::read_to_string(parent.join("Cargo.toml")).ok()?;
        text.lines()
            .any(|line| line.trim_start().starts_with("[workspace"))
            .then_some(text)
    })
}
