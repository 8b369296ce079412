//! The hub's layers, checked: no file of the hub uses a module of a higher layer (see the
//! picture in the module docs). It reads the sources, so it only runs outside Miri.
//!
//! A file's layer is its folder's (`base/` 0, `engine/` 1, `task/` 2, `sync/` 3, the hub's own
//! files 4), except in `task/`: the async style's files are 2a and the generator style's (and
//! `task/mod.rs`, which re-exports both) 2b. Every path the code names through `crate::hub::…`
//! or `super::…` is looked up the same way; test files may use anything.

use std::fs;
use std::path::{Path, PathBuf};

/// Layers in tenths, so that 2a < 2b < 3.
fn layer_of_file(rel: &str) -> Option<u32> {
    let (dir, file) = rel.split_once('/').unwrap_or(("", rel));
    match dir {
        "base" => Some(0),
        "engine" => Some(10),
        "task" => Some(task_layer(file.trim_end_matches(".rs"))),
        "sync" => Some(30),
        "net" | "process" if file == "tests.rs" => None,
        "" | "net"
            if [
                "tests.rs",
                "block_on_tests.rs",
                "park_tests.rs",
                "layer_tests.rs",
                "miri_tests.rs",
            ]
            .contains(&file) =>
        {
            None
        }
        _ => Some(40),
    }
}

/// The task layer's files: 2b for the generator style and the folder's `mod.rs`, else 2a.
fn task_layer(module: &str) -> u32 {
    if ["gen_task", "op", "mod"].contains(&module) {
        25
    } else {
        20
    }
}

/// The layer of the module `crate::hub::{first}::{second}`.
fn layer_of_module(first: &str, second: Option<&str>) -> u32 {
    match first {
        "base" => 0,
        "engine" => 10,
        "task" => second.map_or(25, task_layer),
        "sync" => 30,
        _ => 40,
    }
}

/// The modules each line of code names after `prefix` (`crate::hub::` or `super::`): the one or
/// two path segments that follow it, with `{a, b}` groups split.
fn named_after<'a>(code: &'a str, prefix: &str) -> Vec<(&'a str, Option<&'a str>)> {
    let ident = |s: &'a str| {
        let end = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        &s[..end]
    };
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        rest = &rest[at + prefix.len()..];
        let heads: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group[..group.find('}').unwrap_or(group.len())]
                .split(',')
                .map(str::trim)
                .collect(),
            None => vec![rest],
        };
        for head in heads {
            let first = ident(head);
            let second = head[first.len()..]
                .strip_prefix("::")
                .map(ident)
                .filter(|second| !second.is_empty());
            found.push((first, second));
        }
    }
    found
}

fn sources(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, into);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            into.push(path);
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "reads the sources")]
fn no_file_uses_a_higher_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/hub");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(
        files.len() > 20,
        "the hub's sources are at {}",
        root.display()
    );
    let mut upward = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some(layer) = layer_of_file(&rel) else {
            continue;
        };
        let dir = rel.split_once('/').map(|(dir, _)| dir);
        for (number, line) in fs::read_to_string(&path).unwrap().lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            let mut named = Vec::new();
            for (first, second) in named_after(code, "crate::hub::") {
                named.push(layer_of_module(first, second));
            }
            for (first, _) in named_after(code, "super::") {
                // `super::x` in a folder names a sibling of the folder (or its `mod.rs`); in
                // the hub's own files, a layer's folder or the hub itself.
                named.push(match dir {
                    Some("task") => task_layer(first),
                    Some(dir @ ("base" | "engine" | "sync")) => layer_of_module(dir, None),
                    _ => layer_of_module(first, None),
                });
            }
            if let Some(&higher) = named.iter().find(|&&named| named > layer) {
                upward.push(format!(
                    "{rel}:{}: layer {} uses layer {}: {code}",
                    number + 1,
                    f64::from(layer) / 10.0,
                    f64::from(higher) / 10.0,
                ));
            }
        }
    }
    assert!(upward.is_empty(), "upward uses:\n{}", upward.join("\n"));
}

#[test]
fn the_check_sees_paths_and_groups() {
    assert_eq!(
        named_after("use crate::hub::task::{Join, x};", "crate::hub::"),
        [("task", None)]
    );
    assert_eq!(
        named_after("use super::{handle::TaskRef, gen_task};", "super::"),
        [("handle", Some("TaskRef")), ("gen_task", None)]
    );
    assert_eq!(layer_of_file("task/op.rs"), Some(25));
    assert_eq!(layer_of_file("task/time.rs"), Some(20));
    assert_eq!(layer_of_file("net/tcp.rs"), Some(40));
    assert_eq!(layer_of_file("net/tests.rs"), None);
}
