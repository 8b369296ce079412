//! The runtime of [`corogen`](https://docs.rs/corogen): the [`Generator`] trait, the [`Gen`] type
//! that `#[generator]` functions return, and the types they speak in.
//!
//! Depend on `corogen`, not on this crate: `corogen` re-exports everything here together with
//! the macros.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks, unsafe_op_in_unsafe_fn)]

// The generator core: `core` only.
mod body;
mod delegate;
mod flat_map;
mod local;
mod protocol;
mod slot;
mod state;
mod step;

// What needs an allocator.
#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "alloc")]
mod async_delegate;
#[cfg(feature = "alloc")]
mod async_gen;
#[cfg(feature = "alloc")]
mod async_slot;
#[cfg(feature = "alloc")]
mod body_box;
#[cfg(feature = "std")]
mod free_list;
#[cfg(feature = "alloc")]
mod generator;

#[doc(hidden)]
pub mod __private;
#[cfg(feature = "hub")]
#[cfg_attr(docsrs, doc(cfg(feature = "hub")))]
pub mod hub;

#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub use async_gen::{AsyncGen, NextItem, ResumeFuture, SendFuture, ThrowFuture};
pub use body::Body;
pub use flat_map::FlatMapPinned;
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub use generator::{BoxGenerator, Gen};
pub use local::GenLocal;
pub use protocol::{AsyncGenerator, Generator, GeneratorState, NextArg, StopIteration};
pub use state::GenState;
