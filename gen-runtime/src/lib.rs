//! The runtime of [`corogen`](https://docs.rs/corogen): the [`Generator`] trait, the [`Gen`] type
//! that `#[generator]` functions return, and the types they speak in.
//!
//! Depend on `corogen`, not on this crate: `corogen` re-exports everything here together with
//! the macros.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks, unsafe_op_in_unsafe_fn)]

mod async_gen;
mod body;
mod delegate;
mod generator;
mod local;
mod protocol;
mod slot;

#[doc(hidden)]
pub mod __private;
#[cfg(feature = "hub")]
#[cfg_attr(docsrs, doc(cfg(feature = "hub")))]
pub mod hub;

pub use async_gen::{AsyncGen, NextItem};
pub use body::Body;
pub use generator::{BoxGenerator, Gen, GenState};
pub use local::GenLocal;
pub use protocol::{Generator, GeneratorState, NextArg, StopIteration};
