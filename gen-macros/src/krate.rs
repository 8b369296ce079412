//! Where generated code finds `corogen`: the `crate = path` option, else the name the user's
//! `Cargo.toml` gives the dependency (it may be renamed), else `::corogen`.

use proc_macro_crate::{FoundCrate, crate_name};
use proc_macro2::Span;
use syn::{Ident, Path};

pub fn resolve(option: Option<&Path>) -> Path {
    if let Some(path) = option {
        return path.clone();
    }
    let name = match crate_name("corogen") {
        // Inside corogen's own targets (tests, examples, doc tests) `::corogen` resolves too: the
        // library declares `extern crate self as corogen`.
        Ok(FoundCrate::Itself) | Err(_) => "corogen".to_owned(),
        Ok(FoundCrate::Name(name)) => name,
    };
    let ident = Ident::new(&name, Span::call_site());
    syn::parse_quote!(::#ident)
}
