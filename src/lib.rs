//! Python-style generators and coroutines for stable Rust.
//!
//! A function with `yield_!` in it becomes a generator: an [`Iterator`] of what it yields, that
//! takes values through [`send`](Gen::send) and ends with a return value carried in
//! [`StopIteration`], like Python's.
//!
//! ```
//! use corogen::prelude::*;
//!
//! #[generator(yield = u64)]
//! fn fib(n: usize) -> &'static str {
//!     let (mut a, mut b) = (0, 1);
//!     for _ in 0..n {
//!         yield_!(a);
//!         (a, b) = (b, a + b);
//!     }
//!     "done"
//! }
//!
//! let v: Vec<u64> = fib(10).collect();
//! assert_eq!(v, [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
//! let mut g = fib(2);
//! assert_eq!(g.send(()), Ok(0));
//! assert_eq!(g.send(()), Ok(1));
//! assert_eq!(g.send(()), Err(StopIteration("done"))); // Python's StopIteration.value
//! ```
//!
//! # Writing generators
//!
//! - [`#[generator(yield = Y)]`](generator) on a `fn` (free function or method, generic or not)
//!   makes it return a [`Gen`]. Add `resume = R` to receive values through `send`: then
//!   `let x = yield_!(v);` is the value of the next resume. The function's written return type
//!   is the generator's final value.
//! - [`gen_!({ ... })`](gen_) is an anonymous generator, the twin of Python's
//!   `(x * 2 for x in range(5))`.
//! - [`yield_!(value)`](yield_) suspends the generator, handing out `value`.
//!
//! Inside the body all of Rust works, including borrows of the generator's own locals across a
//! `yield_!`:
//!
//! ```
//! use corogen::prelude::*;
//!
//! #[generator(yield = &'a str)]
//! fn words<'a>(text: &'a str) -> usize {
//!     let mut count = 0;
//!     for word in text.split_whitespace() {
//!         yield_!(word);
//!         count += 1;
//!     }
//!     count
//! }
//! let mut g = words("to be or not");
//! assert_eq!(g.by_ref().collect::<Vec<_>>(), ["to", "be", "or", "not"]);
//! assert_eq!(g.return_value(), Some(&4));
//! ```
//!
//! # How it works
//!
//! The macro turns the body into an `async` block and each `yield_!` into an await of a future
//! that hands its value to [`Gen::resume`] through a slot in `resume`'s own stack frame. Rust's
//! compiler builds the state machine; nothing is allocated per item, and a generator runs as
//! fast as a hand-written [`Iterator`]. The state lives in one allocation made when the generator
//! is created, like Python's frame object, so a [`Gen`] can be moved freely and generators can
//! recurse.
//!
//! # Features
//!
//! Each needs the one before it; the default is `std`, `hub` and `net`.
//!
//! - none: [`GenLocal`] (`#[generator(local, …)]`, [`gen_local!`]), the zero-allocation form,
//!   on `#![no_std]` without an allocator. A plain `#[generator]` is then a compile error that
//!   names `alloc`.
//! - `alloc`: `Gen`, `yield_from!`, throw and close, `AsyncGen` (a `Stream`), `BoxGenerator`,
//!   on `#![no_std]` with a global allocator.
//! - `std`: per-thread free lists that recycle recursive generators' bodies.
//! - `hub`: the scheduler ([`hub`]), its timers, both clocks and sync primitives, no sockets
//!   (it builds for `wasm32-unknown-unknown`, with the virtual clock only).
//! - `net`: the reactor and cooperative sockets (Unix).
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

extern crate self as corogen;

#[cfg(feature = "hub")]
#[cfg_attr(docsrs, doc(cfg(feature = "hub")))]
pub use gen_runtime::hub;
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub use gen_runtime::{
    AsyncGen, BoxGenerator, Gen, NextItem, ResumeFuture, SendFuture, ThrowFuture,
};
pub use gen_runtime::{
    AsyncGenerator, Body, FlatMapPinned, GenLocal, GenState, Generator, GeneratorState, NextArg,
    StopIteration,
};

/// Turns a function that contains `yield_!` into a generator.
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = u32, resume = u32)]
/// fn accumulate() -> u32 {
///     let mut total = 0;
///     while total < 100 {
///         total += yield_!(total);
///     }
///     total
/// }
///
/// let mut acc = accumulate();
/// assert_eq!(acc.send(0), Ok(0)); // the first send starts the body
/// assert_eq!(acc.send(10), Ok(10));
/// assert_eq!(acc.send(95), Err(StopIteration(105)));
/// ```
///
/// # Options
///
/// - `yield = Y`: the type of the yielded values. It may be left out when the function is
///   written as returning `impl Iterator<Item = Y>`: the generator then yields `Y` and returns
///   `()`. Elided lifetimes in it follow the rules of a return type (`yield = &str` on a
///   `&self` method borrows from `self`).
/// - `resume = R`: the type `send`/`resume` take (default `()`). With `R = ()` or
///   `R = Option<T>` the generator is also an [`Iterator`] whose `next()` sends `()`/`None`,
///   exactly Python's `next(g)`.
/// - `resume = R as name`: binds the argument of the *first* resume to `name` at the top of the
///   body. Without it that argument is dropped: no `yield_!` is waiting for it yet.
/// - `throw = E`: the generator can be thrown into ([`Gen::throw`]): each `yield_!` evaluates to
///   a `Result<R, E>` (so `yield_!(v)?` propagates a thrown error) and `send` takes `Ok(value)`.
///   The return type must be a `Result<T, E>`, which is what a thrown error finishes it with.
/// - `local`: return the zero-allocation [`GenLocal`] (pin it with [`core::pin::pin!`]) instead
///   of a [`Gen`]; see [`gen_local!`].
/// - `recycle`: the [`Gen`]'s one allocation, its body's block, is taken from and given back to
///   a small free list of the current thread (with the `std` feature; without it, the
///   allocator as usual). For generators that are created by the million, live briefly and
///   escape (are stored, returned or passed on): the allocator's `malloc` + `free` is then most
///   of their cost, and a free list's pop and push cost a fraction of it (a 3-item generator
///   stored before it is drained: 225 instructions plain, 88 with `recycle`, 47 for a
///   hand-written iterator). Leave it off otherwise: a `Gen` that does not
///   escape its creator has its allocation removed by the optimiser, which a free list
///   prevents (the block's address escapes into the list). Not with `local` (which allocates
///   nothing) or on async generators. A generator with `yield_from!` recycles its block either
///   way.
///
///   ```
///   use corogen::prelude::*;
///
///   #[generator(recycle, yield = u32)]
///   fn pair(x: u32) {
///       yield_!(x);
///       yield_!(x + 1);
///   }
///
///   // Each `Gen` is stored before it is drained: these reuse one block.
///   let mut kept = Vec::new();
///   for x in 0..1000 {
///       kept.push(pair(x));
///       let total: u32 = kept.pop().unwrap().sum();
///       assert_eq!(total, 2 * x + 1);
///   }
///   ```
/// - `send`: the generator must be [`Send`]. A generator is `Send` whenever what its body holds
///   across a `yield_!` is; with `send`, holding something else (an `Rc`, a `RefCell` guard) is
///   an error here, at the definition, that names the local and the `yield_!` it is held across,
///   instead of an error wherever the generator is sent to another thread.
/// - `crate = path`: where to find `corogen`, for a crate that re-exports it. A renamed
///   dependency (`co = { package = "corogen" }`) is found without it.
///
/// # The returned value
///
/// The function returns [`Gen<impl Body<Yield = Y, Resume = R, Return = Ret>>`](Gen): an
/// [`Iterator`] and [`FusedIterator`](core::iter::FusedIterator), with
/// [`send`](Gen::send), [`resume`](Gen::resume) and [`return_value`](Gen::return_value). It is
/// `Send`/`Sync` when what the body holds across yields is, and it does nothing until first
/// resumed.
///
/// An endless generator may be written `-> !`. `!` cannot be named as a type on stable Rust, so
/// its `Ret` is [`core::convert::Infallible`]: `Complete` cannot happen, and a match on
/// [`GeneratorState`] needs no arm for it.
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = u64)]
/// fn naturals() -> ! {
///     let mut n = 0;
///     loop {
///         yield_!(n);
///         n += 1;
///     }
/// }
///
/// assert_eq!(naturals().take(3).collect::<Vec<_>>(), [0, 1, 2]);
/// let GeneratorState::Yielded(first) = naturals().resume(());
/// assert_eq!(first, 0);
/// ```
///
/// # Rules for the body
///
/// - `yield_!` must stand directly in the body: not in a closure, a nested function or item, an
///   `async` block, or another macro's arguments (`println!("{}", yield_!(1))`). Those are
///   compile errors that say what to write instead (`let v = yield_!(1); println!("{v}")`).
/// - Parameters live until the body ends, locals drop at the end of their scope, and dropping a
///   suspended generator drops what it holds, innermost scope first.
/// - A panic in the body propagates out of the `resume` that ran it; the generator is then
///   finished for good, and resuming it again panics.
/// - A mistake in the body is one compile error, on the tokens where it is; the rest of the
///   function still expands, so callers get no error of their own. That holds while a line is
///   typed, too: `yield_!(v.)`, `yield_!(n +)` or an argument that does not parse is reported
///   there, and rust-analyzer still completes and resolves around it.
///
/// # Async generators
///
/// On an `async fn` (PEP 525), the body may `.await` anything between its yields, and the
/// function returns an [`AsyncGen`]: a `Stream` of its yields (`gen_!(async move { … })` is the
/// anonymous form). `resume = R` and `throw = E` work there too: then `send`, `resume` and
/// `throw` are futures (Python's `asend`, `athrow`), the generator is an [`AsyncGenerator`],
/// and a resume future dropped before it completes follows [`AsyncGen`'s cancellation
/// rules](AsyncGen#cancellation). `yield_from!` delegates to another async generator, a plain
/// generator, any `Stream` or any iterable.
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = u32, resume = u32)]
/// async fn scaled(factor: u32) -> u32 {
///     let mut x = yield_!(0);
///     while x != 0 {
///         std::future::ready(()).await; // a timer, a socket read…
///         x = yield_!(x * factor);
///     }
///     factor
/// }
///
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// block_on(async {
///     let mut g = scaled(3);
///     assert_eq!(g.send(0).await, Ok(0)); // starts the body
///     assert_eq!(g.send(5).await, Ok(15));
///     assert_eq!(g.send(0).await, Err(StopIteration(3)));
/// });
/// ```
pub use gen_macros::generator;

/// An anonymous generator: the twin of Python's generator expression
/// `(x * 2 for x in range(5))`.
///
/// It moves what it captures (like `async move`), infers its yield type from its `yield_!`s,
/// takes `()` on resume, returns what its block evaluates to, and does not run until first
/// resumed.
///
/// ```
/// use corogen::prelude::*;
///
/// let limit = 5;
/// let doubled = gen_!({
///     for x in 0..limit {
///         yield_!(x * 2);
///     }
/// });
/// assert_eq!(doubled.collect::<Vec<_>>(), [0, 2, 4, 6, 8]);
/// ```
///
/// Because it moves what it uses, a value the caller still needs afterwards must be lent to it
/// by a reference made outside (rustc's "borrow of moved value" error then points at the
/// `gen_!` as the place of the move):
///
/// ```
/// use corogen::prelude::*;
///
/// let names = vec!["ada".to_string(), "grace".to_string()];
/// let borrowed = &names; // `gen_!` moves the reference, not `names`
/// let lengths = gen_!({
///     for name in borrowed {
///         yield_!(name.len());
///     }
/// });
/// assert_eq!(lengths.sum::<usize>(), 8);
/// assert_eq!(names.len(), 2); // still ours
/// ```
///
/// (Not `gen!`: `gen` is a reserved keyword in edition 2024.)
pub use gen_macros::gen_;

/// The zero-allocation twin of [`gen_!`]: a [`GenLocal`] to pin where it lives.
///
/// `#[generator(local, yield = Y)]` does the same for a function. The body may not use
/// `yield_!` inside `yield_from!` delegation (a `GenLocal` has no allocation to keep a delegation
/// stack in), and the value is `!Unpin`: pin it with [`core::pin::pin!`] before resuming.
///
/// ```
/// use corogen::prelude::*;
/// use std::pin::pin;
///
/// let words = ["zero", "alloc"];
/// let mut g = pin!(gen_local!({
///     for w in words {
///         yield_!(w.len());
///     }
/// }));
/// assert_eq!(g.as_mut().collect::<Vec<_>>(), [4, 5]);
/// ```
pub use gen_macros::gen_local;

/// Suspends the generator, handing out a value; evaluates to the value of the next resume.
///
/// `yield_!()` yields `()`, like Python's bare `yield`. Only meaningful directly in the body of a
/// [`generator`] function or a [`gen_!`](gen_) block; anywhere else it is a compile error.
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = i32, resume = &'static str)]
/// fn greeter() {
///     let name = yield_!(1);
///     assert_eq!(name, "world");
///     yield_!(2);
/// }
/// let mut g = greeter();
/// assert_eq!(g.send(""), Ok(1)); // the first argument is dropped
/// assert_eq!(g.send("world"), Ok(2));
/// ```
pub use gen_macros::yield_;

/// Delegates to a sub-generator or an iterable: Python's `yield from` (PEP 380).
///
/// `let r = yield_from!(sub);` runs `sub` to completion inside the current generator: its yields
/// go straight out to our caller, values sent to us go straight in to it, and the expression
/// evaluates to its return value. `sub` may borrow the caller's locals.
///
/// - A generator ([`Gen`], by value or `&mut`) is resumed directly; however deep delegation
///   goes, each resume reaches the innermost generator at once (the outermost generator keeps a
///   stack of them), so depth does not make items slower.
/// - Anything else that is [`IntoIterator`] with our yield type is iterated, and `yield_from!`
///   evaluates to `()`; values sent to us meanwhile are dropped, as an iterator cannot take
///   them.
///
/// The resume type must have a [`NextArg`] (`()`, `Option<T>`, `Result<R, E>`): a delegate is
/// started the way Python starts it, with `next()`.
///
/// In a generator that can be thrown into (`throw = E`, see [`Gen::throw`]), an error thrown
/// while `yield_from!` runs goes to the innermost delegate, and the expression says what became
/// of it, as a `yield_!` there does (`Result<R, E>`, so `?` propagates it):
///
/// - `yield_from!(generator)` evaluates to the sub-generator's return value, a `Result<T, E>`
///   (a sub-generator with the same `throw = E` returns one): `Err(e)` if a thrown `e` went
///   through it unhandled.
/// - `yield_from!(iterable)` evaluates to `Result<(), E>`: an iterator cannot handle an error,
///   so a thrown error ends the iteration there, untouched, and is the `Err` at once (Python
///   raises it in the delegator, as an iterator has no `throw`). `Ok(())` when it ran out.
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = u32, resume = (), throw = &'static str)]
/// fn counting() -> Result<u32, &'static str> {
///     if let Err(e) = yield_from!(0..10) {
///         assert_eq!(e, "skip");
///     }
///     yield_from!(100..)?;
///     Ok(0)
/// }
///
/// let mut g = counting();
/// assert_eq!(g.next(), Some(0));
/// assert_eq!(g.throw("skip"), GeneratorState::Yielded(100)); // the range is left at 1
/// assert_eq!(g.throw("stop"), GeneratorState::Complete(Err("stop")));
/// ```
///
/// Dropping a generator while it delegates drops its delegates' locals first, innermost first,
/// however deep the chain; a generator delegated to through `&mut` is left as it was, with its
/// own delegation, and can go on alone. [`close`](Gen::close) closes that one too.
///
/// In an async generator (`async fn`), `yield_from!` also takes another async generator (its
/// return value is the result, and values sent reach it), a plain generator, or any `Stream`
/// (Python's `async for x in stream: yield x`; it evaluates to `()`, and to `Result<(), E>` in
/// a generator with `throw = E`, as an iterable does). The outermost async generator keeps the
/// stack and polls the innermost delegate directly, whatever the depth; `Pending` from it (an
/// awaited future, a stream with nothing yet) makes the whole generator `Pending`, and the
/// executor's wake reaches it directly. Drops and closes go innermost first, as above.
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = u32)]
/// async fn leaves(depth: u32) -> u32 {
///     if depth == 0 {
///         std::future::ready(()).await;
///         yield_!(1);
///         return 1;
///     }
///     let left = yield_from!(leaves(depth - 1));
///     let right = yield_from!(leaves(depth - 1));
///     yield_from!(futures::stream::iter([100 + depth])); // any `Stream`
///     left + right
/// }
///
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// block_on(async {
///     let mut g = leaves(2);
///     let mut items = Vec::new();
///     while let Some(x) = g.next().await {
///         items.push(x);
///     }
///     assert_eq!(items, [1, 1, 101, 1, 1, 101, 102]);
///     assert_eq!(g.return_value(), Some(&4));
/// });
/// ```
///
/// ```
/// use corogen::prelude::*;
///
/// #[generator(yield = i32, resume = Option<i32>)]
/// fn averager() -> f64 {
///     let (mut total, mut count) = (0, 0);
///     while let Some(value) = yield_!(total) {
///         total += value;
///         count += 1;
///     }
///     f64::from(total) / f64::from(count)
/// }
///
/// #[generator(yield = i32, resume = Option<i32>)]
/// fn report() -> Vec<f64> {
///     let mut averages = Vec::new();
///     for _ in 0..2 {
///         averages.push(yield_from!(averager()));
///     }
///     yield_from!([-1, -2]);
///     averages
/// }
///
/// let mut g = report();
/// assert_eq!(g.send(None), Ok(0)); // starts the first averager
/// assert_eq!(g.send(Some(10)), Ok(10));
/// assert_eq!(g.send(Some(20)), Ok(30));
/// assert_eq!(g.send(None), Ok(0)); // the first returns 15.0; the second starts
/// assert_eq!(g.send(Some(1)), Ok(1));
/// assert_eq!(g.send(None), Ok(-1)); // the second returns 1.0; then the array
/// assert_eq!(g.send(None), Ok(-2));
/// assert_eq!(g.send(None), Err(StopIteration(vec![15.0, 1.0])));
/// ```
pub use gen_macros::yield_from;

/// Everything needed to write and drive generators: `use corogen::prelude::*;`.
pub mod prelude {
    #[cfg(feature = "alloc")]
    pub use crate::{AsyncGen, Gen};
    pub use crate::{AsyncGenerator, GenLocal, GenState, Generator, GeneratorState, StopIteration};
    pub use crate::{gen_, gen_local, generator, yield_, yield_from};
}

#[doc(hidden)]
pub use gen_runtime::__private;
