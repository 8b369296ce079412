//! [`GenState`]: where a generator is in its life, as users see it (`Gen`, `GenLocal` and
//! `AsyncGen`).

/// Where a generator is in its life, like Python's `inspect.getgeneratorstate` (and
/// `inspect.getasyncgenstate` for async generators).
///
/// A plain generator is never seen `Running`: `resume` holds `&mut self` while the body runs.
/// An async generator can be seen [`Awaiting`](GenState::Awaiting), between two polls of one
/// step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GenState {
    /// Created and not resumed yet: the body has not started.
    Created,
    /// Suspended at a `yield_!` (or inside a `yield_from!`), waiting for the next resume.
    Suspended,
    /// The body returned (or a thrown error finished it).
    Completed,
    /// [`close`](crate::Gen::close)d (or dropped) before its end: its cleanup has run.
    Closed,
    /// The body panicked during a resume; the generator cannot be resumed again.
    Panicked,
    /// An async generator's step is under way: its body (or a generator it delegates to) waits
    /// inside a future it awaits, between two yields. A poll returned `Pending`, or a resume
    /// future was dropped before its step ended (see [`AsyncGen`'s
    /// cancellation](crate::AsyncGen#cancellation)); the next poll goes on from there. Python's
    /// `AGEN_RUNNING`. Plain generators are never in this state.
    // Last, so that the variants before it keep the discriminants they had before it came
    // (a plain generator's status checks compile to the same comparisons).
    Awaiting,
}
