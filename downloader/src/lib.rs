//! placeholder
#![warn(missing_docs)]
pub mod http;
pub mod url;
