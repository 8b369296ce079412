"""What rust-analyzer should answer at the marked positions of lsp/fixture, finished and while a
line is being typed, and the run that asks it.

Each fixture file holds a case in its finished form, with `/*@name*/` markers: a marker names the
position where it stands, and is stripped before the text is sent. A case's other forms are the
finished text with a few replacements (which may carry markers of their own), sent as an editor
would: `didOpen` with the finished text, then `didChange` with the edited one.

    python3 lsp/cases.py [--baseline] [--json FILE] [--log FILE] [--rust-analyzer PATH]

prints a table of every check and exits 1 if one failed (0 with --baseline). A check marked
`known_miss` that fails is listed as such and does not fail the run.
"""

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field

import lsp_client

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "fixture")
REPO = os.path.dirname(HERE)
MARKER = re.compile(r"/\*@(\w+)\*/")

# rust-analyzer's settings, as initializationOptions and as workspace/configuration answers.
# No `cargo check` on save: the files are never saved, and the diagnostics wanted are the ones an
# editor shows while a line is typed, rust-analyzer's own.
SETTINGS = {"checkOnSave": False}


# --- the checks ---

class _KnownMiss:
    """A check's result when it failed and is marked `known_miss`: it does not fail the run
    (truthy), and the table says so. A known miss that passes is an ordinary pass."""

    def __bool__(self):
        return True


KNOWN_MISS = _KnownMiss()

@dataclass
class Completion:
    """Completion at `at` lists every name in `names` (matched on `filterText`, else `label`)."""
    at: str
    names: list
    known_miss: str = ""  # why this check is expected to fail (see KNOWN_MISS)


@dataclass
class Hover:
    """Hover on the token at `at` shows `shows` and nothing else (rust-analyzer joins the hovers of
    every token the user's one became: a generated `let` carrying the user's span adds the `let`
    keyword's docs)."""
    at: str
    shows: str
    known_miss: str = ""


@dataclass
class Definition:
    """Go-to-definition from `at` gives exactly the targets named by markers in `targets`."""
    at: str
    targets: list
    known_miss: str = ""


@dataclass
class Form:
    name: str
    edits: list = field(default_factory=list)  # (old, new) replacements of the finished text
    checks: list = field(default_factory=list)
    # The marker on whose line the syntax error is: rust-analyzer's errors should start there, with
    # none on an earlier line (such as the `#[generator]` attribute's). Later ones are allowed: an
    # unclosed `(` has consequences. None: the form is valid code, and no error is expected.
    broken: str = None


@dataclass
class Case:
    name: str
    file: str
    forms: list


def yield_arg_checks():
    return [
        Completion("dot", ["len", "push", "iter"]),
        Completion("v_use", ["v", "words"]),
        Hover("v_use", "let v: Vec<String>"),
        Definition("v_use", ["v_def"]),
    ]


def helper_checks():
    return [
        Completion("helper_use", ["helper", "n"]),
        Hover("helper_use", "fn helper(n: u32) -> impl Iterator<Item = u32>"),
        Definition("helper_use", ["helper_def"]),
    ]


def items_checks():
    return [
        Completion("dot", ["len", "iter", "push"]),
        Hover("items_use", "let items: Vec<u32>"),
        Definition("items_use", ["items_def"]),
    ]


def batch_checks():
    return [
        Completion("dot", ["len", "iter", "push"]),
        Hover("batch_use", "let batch: Vec<u32>"),
        Definition("batch_use", ["batch_def"]),
    ]


def x_checks():
    return [
        Completion("xdot", ["pow", "count_ones"]),
        Hover("x_use", "let x: u32"),
        Definition("x_use", ["x_def"]),
    ]


def plain_checks(with_x=True):
    return [
        Completion("dot", ["len", "push", "iter"]),
        Completion("v_use", ["v", "words"]),
        Hover("v_use", "let v: Vec<String>"),
        Definition("v_use", ["v_def"]),
        Completion("helper_use", ["helper", "n"]),
        Hover("helper_use", "fn helper(n: u32) -> impl Iterator<Item = u32>"),
        Definition("helper_use", ["helper_def"]),
        Hover("n_use", "n: u32"),
        Definition("n_use", ["n_def"]),
    ] + (x_checks() if with_x else [])


CASES = [
    # The reference: the same shapes without the macros.
    Case("plain Rust (control)", "src/plain.rs", [
        Form("finished", checks=plain_checks()),
        Form("incomplete `v.;`", edits=[("/*@dot*/len();", "/*@dot*/;")],
             checks=plain_checks(), broken="dot"),
        # An unclosed `(` takes the rest of the body with it, even without macros: only what
        # comes before it can be asked for.
        Form("incomplete `helper(n` (unclosed)",
             edits=[("/*@n_use*/n);", "/*@n_use*/n")],
             checks=plain_checks(with_x=False), broken="n_use"),
    ]),
    Case("yield_! argument", "src/yield_arg.rs", [
        Form("finished `yield_!(v.len())`", checks=yield_arg_checks()),
        Form("incomplete `yield_!(v.)`",
             edits=[("v./*@dot*/len());", "v./*@dot*/);")],
             checks=yield_arg_checks(), broken="dot"),
        # The contrast: a broken line outside any macro call, which rust-analyzer repairs itself.
        Form("incomplete `let n = v.;` outside `yield_!`",
             edits=[("    for word in &v {", "    let n = /*@v2*/v./*@dot2*/;\n    for word in &v {")],
             checks=[Completion("dot2", ["len", "push", "iter"]),
                     Hover("v2", "let v: Vec<String>"),
                     Definition("v2", ["v_def"])], broken="dot2"),
        # Valid syntax: a yield of `()`, whose type error belongs on this line.
        Form("incomplete `yield_!()` (nothing typed yet)",
             edits=[("/*@v_use*/v./*@dot*/len()", "/*@empty*/")],
             checks=[Completion("empty", ["v", "words"])], broken="empty"),
    ]),
    Case("yield_from!", "src/yield_from.rs", [
        Form("finished `yield_from!(helper(n))`", checks=helper_checks() + [
            Hover("n_use", "n: u32"),
            Definition("n_use", ["n_def"]),
        ]),
        Form("incomplete `yield_from!(hel)`",
             edits=[("/*@helper_use*/helper(/*@n_use*/n)", "/*@helper_use*/hel/*@hel_end*/")],
             checks=[Completion("hel_end", ["helper"])]),
        Form("incomplete `yield_from!(helper(n` (unclosed)",
             edits=[("helper(/*@n_use*/n));", "helper(/*@n_use*/n")],
             checks=helper_checks() + [Definition("n_use", ["n_def"])], broken="n_use"),
    ]),
    Case("gen_! block", "src/gen_block.rs", [
        Form("finished", checks=items_checks()),
        Form("incomplete: syntax error on another line (`total +;`)",
             edits=[("let _ = total;", "let _ = /*@broken*/total +;")],
             checks=items_checks(), broken="broken"),
        Form("incomplete: the line being typed (`items.;`)",
             edits=[("/*@dot*/len();", "/*@dot*/;")],
             checks=items_checks(), broken="dot"),
    ]),
    Case("async generator", "src/async_gen.rs", [
        Form("finished", checks=batch_checks() + x_checks()),
        Form("incomplete: the line being typed (`batch.;`)",
             edits=[("/*@dot*/len();", "/*@dot*/;")],
             checks=batch_checks(), broken="dot"),
        Form("incomplete `yield_!(x.)`",
             edits=[("/*@xdot*/pow(2));", "/*@xdot*/);")],
             checks=x_checks(), broken="xdot"),
    ]),
]


# --- running them ---

def strip_markers(text):
    """The text without its markers, and each marker's (line, UTF-16 column), 0-based."""
    out, positions, last = [], {}, 0
    for match in MARKER.finditer(text):
        out.append(text[last:match.start()])
        last = match.end()
        before = "".join(out)
        line_start = before.rfind("\n") + 1
        positions[match.group(1)] = (before.count("\n"), utf16_len(before[line_start:]))
        out.append("")
    out.append(text[last:])
    return "".join(out), positions


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def apply_edits(text, edits):
    for old, new in edits:
        if text.count(old) != 1:
            raise SystemExit(f"edit {old!r}: found {text.count(old)} times, not once")
        text = text.replace(old, new)
    return text


def where(uri, start, texts):
    """`file:line:col` (1-based) of a target, and its line's text."""
    path = lsp_client.path_of(uri)
    line, col = start["line"], start["character"]
    text = texts.get(uri)
    if text is None:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            text = ""
    lines = text.splitlines()
    source = lines[line].strip() if line < len(lines) else ""
    return f"{os.path.relpath(path, REPO)}:{line + 1}:{col + 1}", source


class Runner:
    def __init__(self, server):
        self.server = server
        self.version = 0

    def send(self, uri, text, first):
        """Opens or changes the document, then pulls its diagnostics. An edit of a source file
        starts no loading; `wait_until_loaded` makes sure of it."""
        self.version += 1
        if first:
            self.server.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "rust", "version": self.version, "text": text}})
        else:
            self.server.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": self.version},
                "contentChanges": [{"text": text}]})
        self.server.wait_until_loaded(timeout=300, settle=0)
        report = self.server.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
        return report.get("items", [])

    def position(self, uri, positions, name):
        line, col = positions[name]
        return {"textDocument": {"uri": uri}, "position": {"line": line, "character": col}}

    def run_check(self, check, uri, positions, texts):
        at = self.position(uri, positions, check.at)
        if isinstance(check, Completion):
            result = self.server.request("textDocument/completion", at)
            items = result.get("items", []) if isinstance(result, dict) else (result or [])
            # The label's name: `len`, `le(as PartialOrd)`; `filterText` may carry doc aliases.
            offered = {re.split(r"[(<]", item["label"])[0].strip() for item in items}
            missing = [n for n in check.names if n not in offered]
            got = "null" if result is None else f"{len(items)} items" + (
                f", missing {', '.join(missing)}" if missing else f", has {', '.join(check.names)}")
            return (f"completion has {', '.join(check.names)}", got, not missing,
                    sorted(offered))
        if isinstance(check, Hover):
            result = self.server.request("textDocument/hover", at)
            value = hover_text(result)
            heads = hover_heads(value)
            ok = heads == [check.shows]
            got = " + ".join(f"`{h}`" for h in heads) if heads else json.dumps(result)
            if any(h in RUST_KEYWORDS for h in heads):
                got += " (with the keyword's docs)"
            return f"hover `{check.shows}`", got, ok, value
        if isinstance(check, Definition):
            result = self.server.request("textDocument/definition", at)
            targets = definition_targets(result)
            expected = [(uri, positions[m]) for m in check.targets]
            got_keys = [(t_uri, (start["line"], start["character"])) for t_uri, start in targets]
            ok = sorted(got_keys) == sorted(expected)
            shown = []
            for t_uri, start in targets:
                loc, source = where(t_uri, start, texts)
                shown.append(f"{loc} `{source[:60]}`")
            want = ", ".join(f"@{m}" for m in check.targets)
            got = f"{len(targets)}: " + "; ".join(shown) if targets else f"0 ({json.dumps(result)})"
            return f"definition = {want}", got, ok, shown
        raise TypeError(check)


RUST_KEYWORDS = {"let", "fn", "async", "await", "match", "loop", "for", "in", "move", "return",
                 "if", "else", "while", "mut", "ref", "impl", "dyn", "use", "pub", "unsafe"}


def hover_text(result):
    if not result:
        return ""
    contents = result["contents"]
    if isinstance(contents, dict):
        return contents.get("value", "")
    if isinstance(contents, list):
        return "\n---\n".join(c if isinstance(c, str) else c.get("value", "") for c in contents)
    return str(contents)


def hover_heads(value):
    """The first code line of each section of a hover that starts with code: one per thing the
    hover describes (rust-analyzer joins the hovers of several tokens with `---`), leaving out the
    module path line above a function."""
    heads = []
    for section in re.split(r"\n---\n", value):
        blocks = re.findall(r"```rust\n(.*?)\n```", section.strip(), re.S)
        if blocks and section.strip().startswith("```"):
            heads.append(blocks[-1].splitlines()[0])
    return heads


def definition_targets(result):
    """[(uri, start)] of a definition answer (Location, [Location] or [LocationLink])."""
    if not result:
        return []
    if isinstance(result, dict):
        result = [result]
    targets = []
    for item in result:
        if "targetUri" in item:
            targets.append((item["targetUri"], item["targetSelectionRange"]["start"]))
        else:
            targets.append((item["uri"], item["range"]["start"]))
    return targets


def diagnostics_row(form, diagnostics, positions):
    errors = [d for d in diagnostics or [] if d.get("severity", 1) == 1]
    shown = [f"{d['range']['start']['line'] + 1}:{d['range']['start']['character'] + 1}-"
             f"{d['range']['end']['line'] + 1}:{d['range']['end']['character'] + 1} "
             f"{d.get('code', '')}: {d['message'].splitlines()[0][:90]}" for d in errors]
    if form.broken is None:
        return "no error", "; ".join(shown) or "none", not errors, shown
    line = positions[form.broken][0]
    starts = [d["range"]["start"]["line"] for d in errors]
    ok = line in starts and min(starts) == line
    return f"errors start on line {line + 1}", "; ".join(shown) or "none", ok, shown


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", action="store_true",
                        help="print the table and exit 0 even if checks fail")
    parser.add_argument("--rust-analyzer", default="rust-analyzer")
    parser.add_argument("--json", help="write every answer in full to this file")
    parser.add_argument("--log", help="write the LSP traffic to this file")
    parser.add_argument("--load-timeout", type=float, default=1800)
    args = parser.parse_args()

    started = time.monotonic()
    server = lsp_client.Server([args.rust_analyzer], FIXTURE, SETTINGS, args.log)
    rows, details = [], []
    try:
        server.initialize()
        server.wait_until_loaded(args.load_timeout)
        loaded = time.monotonic() - started
        print(f"rust-analyzer loaded the fixture in {loaded:.1f} s", file=sys.stderr)
        runner = Runner(server)
        for case in CASES:
            path = os.path.join(FIXTURE, case.file)
            uri = lsp_client.uri_of(path)
            with open(path) as f:
                finished = f.read()
            for index, form in enumerate(case.forms):
                text, positions = strip_markers(apply_edits(finished, form.edits))
                diagnostics = runner.send(uri, text, first=index == 0)
                texts = {uri: text}
                for check in form.checks:
                    want, got, ok, detail = runner.run_check(check, uri, positions, texts)
                    if check.known_miss and not ok:
                        ok = KNOWN_MISS
                        got = f"{got} (known miss: {check.known_miss})"
                    rows.append((case.name, form.name, f"@{check.at}", want, got, ok))
                    details.append({"case": case.name, "form": form.name, "at": check.at,
                                    "position": positions[check.at], "expected": want,
                                    "got": got, "ok": ok is True,
                                    "known_miss": ok is KNOWN_MISS, "answer": detail})
                want, got, ok, detail = diagnostics_row(form, diagnostics, positions)
                rows.append((case.name, form.name, "", want, got, ok))
                details.append({"case": case.name, "form": form.name, "expected": want,
                                "got": got, "ok": ok, "answer": detail})
            server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        version = server_version(args.rust_analyzer)
    finally:
        server.shutdown()

    print_table(rows)
    failed = sum(1 for row in rows if not row[-1])
    known = sum(1 for row in rows if row[-1] is KNOWN_MISS)
    passed = len(rows) - failed - known
    elapsed = time.monotonic() - started
    print(f"\n{version}; {passed} passed, {failed} failed, {known} known miss "
          f"(loaded in {loaded:.1f} s, {elapsed:.1f} s in all)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rust_analyzer": version, "loaded_s": loaded, "total_s": elapsed,
                       "progress": server.progress_seen, "checks": details}, f, indent=1)
    return 0 if args.baseline or failed == 0 else 1


def server_version(binary):
    import subprocess
    return subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()


def print_table(rows):
    print("| case | form | at | expected | got | ok |")
    print("|---|---|---|---|---|---|")
    for case, form, at, want, got, ok in rows:
        got = got.replace("|", "\\|")
        mark = "known miss" if ok is KNOWN_MISS else "yes" if ok else "**NO**"
        print(f"| {case} | {form} | {at} | {want} | {got} | {mark} |")


if __name__ == "__main__":
    sys.exit(main())
