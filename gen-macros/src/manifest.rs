//! The name a `Cargo.toml` gives a dependency on a package: the one question about manifests the
//! macros ask (a user may write `co = { package = "corogen" }`).
//!
//! Answering it with a TOML parser (`proc-macro-crate` and `toml_edit`) doubled the clean build
//! of a user crate (`bench/buildtime/`), so this module reads only what a dependency entry can
//! be: a line of a dependency table (`co = { package = "corogen", … }`, `co.package = …`, an
//! inline table over several lines), a table of its own (`[dependencies.co]` then
//! `package = …`), and `co = { workspace = true }`, which takes the entry of the workspace's
//! `[workspace.dependencies]`. Comments and quoted keys are understood; anything it cannot read
//! is skipped, and the caller then falls back to the package's own name.

/// One dependency entry, as far as it matters here.
#[derive(Debug, Default, PartialEq)]
struct Entry {
    /// The name the dependency is known by in the code (the key).
    name: String,
    /// `package = "…"`: the package it is, when renamed.
    package: Option<String>,
    /// `workspace = true`: the entry is the workspace's.
    workspace: bool,
}

/// The names `manifest` knows `package` by, whatever table they are in (normal, dev, build,
/// target-specific); `workspace` is the workspace root's manifest, for `workspace = true`
/// entries. Names keep their dashes, as written.
pub fn names_of(package: &str, manifest: &str, workspace: Option<&str>) -> Vec<String> {
    let workspace_entries = workspace
        .map(|root| entries(root, true))
        .unwrap_or_default();
    entries(manifest, false)
        .into_iter()
        .filter(|entry| {
            let entry = match (entry.workspace, entry.package.is_none()) {
                // `co = { workspace = true }` is the workspace's `co` entry, renames included.
                (true, true) => workspace_entries
                    .iter()
                    .find(|inherited| inherited.name == entry.name)
                    .unwrap_or(entry),
                _ => entry,
            };
            entry.package.as_deref().unwrap_or(&entry.name) == package
        })
        .map(|entry| entry.name)
        .collect()
}

/// The dependency entries of `manifest`: of its `[workspace.dependencies]` table when
/// `of_workspace`, else of its own dependency tables.
fn entries(manifest: &str, of_workspace: bool) -> Vec<Entry> {
    let mut found: Vec<Entry> = Vec::new();
    let mut header: Vec<String> = Vec::new();
    for line in logical_lines(manifest) {
        if let Some(inner) = line.strip_prefix('[') {
            let inner = inner.trim_start_matches('[');
            let inner = inner.trim_end().trim_end_matches(']');
            header = dotted_key(inner).unwrap_or_default();
            if let Some(name) = table_entry_name(&header, of_workspace) {
                found.push(Entry {
                    name,
                    ..Entry::default()
                });
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let (Some(key), value) = (dotted_key(key), value.trim()) else {
            continue;
        };
        if table_entry_name(&header, of_workspace).is_some() {
            // Inside `[dependencies.co]`: the entry pushed with the header.
            if let (Some(entry), [field]) = (found.last_mut(), key.as_slice()) {
                set_field(entry, field, value);
            }
        } else if is_dependency_table(&header, of_workspace) {
            let Some((name, fields)) = key.split_first() else {
                continue;
            };
            let at = match found.iter().position(|entry| entry.name == *name) {
                Some(at) => at,
                None => {
                    found.push(Entry {
                        name: name.clone(),
                        ..Entry::default()
                    });
                    found.len() - 1
                }
            };
            let entry = &mut found[at];
            match fields {
                // `co = { package = "corogen" }` (or `co = "0.1"`, which renames nothing).
                [] => {
                    if let Some(table) = value.strip_prefix('{') {
                        for pair in split_top_level(table.trim_end().trim_end_matches('}')) {
                            if let Some((field, value)) = pair.split_once('=') {
                                if let Some([field]) = dotted_key(field).as_deref() {
                                    set_field(entry, field, value.trim());
                                }
                            }
                        }
                    }
                }
                // `co.package = "corogen"`.
                [field] => set_field(entry, field, value),
                _ => {}
            }
        }
    }
    found
}

fn set_field(entry: &mut Entry, field: &str, value: &str) {
    match field {
        "package" => entry.package = string_value(value),
        "workspace" => entry.workspace = value == "true",
        _ => {}
    }
}

/// Whether a table with this header holds dependency entries, one per key.
fn is_dependency_table(header: &[String], of_workspace: bool) -> bool {
    let is_kind = |kind: &str| {
        matches!(
            kind,
            "dependencies"
                | "dev-dependencies"
                | "build-dependencies"
                | "dev_dependencies"
                | "build_dependencies"
        )
    };
    match header {
        [workspace, kind] if of_workspace => workspace == "workspace" && kind == "dependencies",
        _ if of_workspace => false,
        [kind] => is_kind(kind),
        [target, _, kind] => target == "target" && is_kind(kind),
        _ => false,
    }
}

/// `[dependencies.co]`: a table that is one dependency entry, named `co`.
fn table_entry_name(header: &[String], of_workspace: bool) -> Option<String> {
    let (name, table) = header.split_last()?;
    is_dependency_table(table, of_workspace).then(|| name.clone())
}

/// The manifest's lines without comments, an inline table or array that spans several lines
/// joined into one.
fn logical_lines(manifest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut pending = String::new();
    let mut depth = 0i32;
    for line in manifest.lines() {
        let line = strip_comment(line);
        for c in unquoted_chars(line) {
            match c {
                '{' | '[' => depth += 1,
                '}' | ']' => depth -= 1,
                _ => {}
            }
        }
        pending.push_str(line.trim());
        pending.push(' ');
        // A header's brackets balance on its own line, like any finished value.
        if depth <= 0 {
            let done = pending.trim().to_owned();
            if !done.is_empty() {
                lines.push(done);
            }
            pending.clear();
            depth = 0;
        }
    }
    lines
}

/// The characters of `line` outside its strings.
fn unquoted_chars(line: &str) -> impl Iterator<Item = char> + '_ {
    let mut quote = None;
    let mut escaped = false;
    line.chars().filter(move |&c| {
        match quote {
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None => return true,
        }
        false
    })
}

/// `line` up to a `#` that is not inside a string.
fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut escaped = false;
    for (at, c) in line.char_indices() {
        match quote {
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' => return &line[..at],
            None => {}
        }
    }
    line
}

/// `a."b.c".d` → `["a", "b.c", "d"]`; `None` if it is not a key.
fn dotted_key(key: &str) -> Option<Vec<String>> {
    key.split_terminator('.')
        .try_fold(Vec::<String>::new(), |mut parts, piece| {
            // A quoted part may hold dots: glue pieces back until its quote closes.
            match parts.last_mut() {
                Some(last) if is_open_quote(last) => {
                    last.push('.');
                    last.push_str(piece);
                }
                _ => parts.push(piece.trim().to_owned()),
            }
            Some(parts)
        })?
        .into_iter()
        .map(|part| {
            let part = part.trim();
            match string_value(part) {
                Some(unquoted) => Some(unquoted),
                None if !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
                {
                    Some(part.to_owned())
                }
                None => None,
            }
        })
        .collect()
}

fn is_open_quote(part: &str) -> bool {
    let part = part.trim_start();
    let Some(quote) = part.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return false;
    };
    part.len() == 1 || !part.ends_with(quote)
}

/// The contents of a one-line string, `"…"` or `'…'`.
fn string_value(value: &str) -> Option<String> {
    let value = value.trim();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = value.strip_prefix(quote)?.strip_suffix(quote)?;
    Some(inner.replace("\\\"", "\"").replace("\\\\", "\\"))
}

/// `a = 1, b = { c = 2 }, d = "x,y"` → its three pairs.
fn split_top_level(table: &str) -> Vec<&str> {
    let mut pairs = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    let mut quote = None;
    for (at, c) in table.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '{' | '[' => depth += 1,
                '}' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    pairs.push(&table[start..at]);
                    start = at + 1;
                }
                _ => {}
            },
        }
    }
    pairs.push(&table[start..]);
    pairs
}

#[cfg(test)]
mod tests {
    use super::names_of;

    fn names(manifest: &str) -> Vec<String> {
        names_of("corogen", manifest, None)
    }

    #[test]
    fn plain_and_renamed_entries() {
        assert_eq!(names("[dependencies]\ncorogen = \"0.1\"\n"), ["corogen"]);
        assert_eq!(
            names("[dependencies]\nco = { package = \"corogen\", version = \"0.1\" }\n"),
            ["co"]
        );
        assert_eq!(
            names("[dependencies]\nco = { version = \"0.1\", package = 'corogen' }"),
            ["co"]
        );
        assert!(names("[dependencies]\nco = { package = \"corogen-runtime\" }\n").is_empty());
        assert!(names("[package]\nname = \"corogen\"\n").is_empty());
    }

    #[test]
    fn every_kind_of_dependency_table() {
        for table in [
            "dev-dependencies",
            "build-dependencies",
            "target.'cfg(unix)'.dependencies",
            "target.\"cfg(target_os = \\\"none\\\")\".dev-dependencies",
        ] {
            let manifest = format!("[{table}]\nengine = {{ package = \"corogen\" }}\n");
            assert_eq!(names(&manifest), ["engine"], "{table}");
        }
    }

    #[test]
    fn tables_of_their_own_and_dotted_keys() {
        let manifest =
            "[dependencies.co]\nversion = \"0.1\"\npackage = \"corogen\"\n\n[features]\nx = []\n";
        assert_eq!(names(manifest), ["co"]);
        assert_eq!(names("[dependencies]\nco.package = \"corogen\"\n"), ["co"]);
        assert_eq!(
            names("[dependencies]\n\"co\" = { package = \"corogen\" }\n"),
            ["co"]
        );
    }

    #[test]
    fn comments_and_inline_tables_over_several_lines() {
        let manifest = "[dependencies] # the deps\n# co = { package = \"corogen\" }\n\
                        co = { # renamed\n  package = \"corogen\", # here\n  features = [\"alloc\", \"hub\"],\n}\n\
                        other = { version = \"1\", features = [\"a#b\"] }\n";
        assert_eq!(names(manifest), ["co"]);
    }

    #[test]
    fn workspace_inheritance() {
        let root = "[workspace]\nmembers = [\"a\"]\n[workspace.dependencies]\nco = { package = \"corogen\", path = \"..\" }\nserde = \"1\"\n";
        assert_eq!(
            names_of(
                "corogen",
                "[dependencies]\nco = { workspace = true }\n",
                Some(root)
            ),
            ["co"]
        );
        assert_eq!(
            names_of(
                "corogen",
                "[dependencies]\nco.workspace = true\n",
                Some(root)
            ),
            ["co"]
        );
        assert!(
            names_of(
                "corogen",
                "[dependencies]\nserde = { workspace = true }\n",
                Some(root)
            )
            .is_empty()
        );
        // The workspace's own dependency table is not a member's.
        assert!(names(root).is_empty());
    }

    #[test]
    fn unreadable_lines_are_skipped() {
        let manifest =
            "[dependencies]\n= broken\nco = { package = \"corogen\"\n[dev-dependencies]\nx = 1\n";
        // The unclosed table swallows what follows; nothing is found, and nothing panics.
        assert!(names(manifest).is_empty());
        assert_eq!(
            names("[dependencies\nco = { package = \"corogen\" }\n"),
            Vec::<String>::new()
        );
    }
}
