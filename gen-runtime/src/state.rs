//! [`GenState`]: where a generator is in its life, as users see it (both `Gen` and `GenLocal`).

/// Where a generator is in its life, like Python's `inspect.getgeneratorstate`.
///
/// `Running` cannot be seen from outside: `resume` holds `&mut self` while the body runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GenState {
    /// Created and not resumed yet: the body has not started.
    Created,
    /// Suspended at a `yield_!` (or inside a `yield_from!`).
    Suspended,
    /// The body returned (or a thrown error finished it).
    Completed,
    /// [`close`](crate::Gen::close)d (or dropped) before its end: its cleanup has run.
    Closed,
    /// The body panicked during a resume; the generator cannot be resumed again.
    Panicked,
}
