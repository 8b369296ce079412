//! The item emitted beside compile errors, so that one mistake is reported once: callers of a
//! broken generator still see its signature, and nothing downstream cascades.

use crate::signature::GenSignature;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{ItemFn, Path};

/// The generator's signature with a body that type-checks and never runs, when the types are
/// known; else the user's own signature with an unreachable body.
pub fn fallback_fn(item: &ItemFn, signature: Option<&GenSignature>, krate: &Path) -> TokenStream {
    let attrs = &item.attrs;
    let vis = &item.vis;
    match signature {
        Some(signature) => {
            let mut sig = signature.sig.clone();
            let return_type = crate::lower::gen_return_type(signature, krate);
            sig.output = syn::parse_quote!(-> #return_type);
            sig.constness = None;
            sig.asyncness = None;
            sig.abi = None;
            let params = unused_params(&sig);
            let fallback = if signature.is_async {
                quote!(fallback_async)
            } else if signature.is_local {
                quote!(fallback_local)
            } else {
                quote!(fallback)
            };
            quote! {
                #(#attrs)*
                #[allow(unused_variables, clippy::all)]
                #vis #sig {
                    #params
                    #krate::__private::#fallback()
                }
            }
        }
        None => {
            let sig = &item.sig;
            quote! {
                #(#attrs)*
                #[allow(unused_variables, unreachable_code, clippy::all)]
                #vis #sig {
                    loop {}
                }
            }
        }
    }
}

/// `let _ = &param;` for each parameter, so that the fallback adds no warning of its own.
fn unused_params(sig: &syn::Signature) -> TokenStream {
    let names = sig.inputs.iter().filter_map(|input| match input {
        syn::FnArg::Typed(typed) => match &*typed.pat {
            syn::Pat::Ident(pat) => Some(pat.ident.clone()),
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    });
    quote!(#(let _ = &#names;)*)
}
