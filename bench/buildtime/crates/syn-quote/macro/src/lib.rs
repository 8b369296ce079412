//! The bare syn + quote attribute macro the build-time table compares with: it parses the item as
//! a `syn::ItemFn` (which needs syn's `full`) and prints it back. With `visit`, it also walks the
//! body with a `VisitMut` and a `Visit`, as corogen-macros does to find and rewrite `yield_!`.
use proc_macro::TokenStream;
use quote::quote;
use syn::{ItemFn, parse_macro_input};

#[proc_macro_attribute]
pub fn passthrough(_args: TokenStream, item: TokenStream) -> TokenStream {
    #[allow(unused_mut, reason = "mutated only with the `visit` feature")]
    let mut item = parse_macro_input!(item as ItemFn);
    #[cfg(feature = "visit")]
    {
        struct Walk(usize);
        impl syn::visit_mut::VisitMut for Walk {
            fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
                self.0 += 1;
                syn::visit_mut::visit_expr_mut(self, expr);
            }
        }
        impl<'ast> syn::visit::Visit<'ast> for Walk {
            fn visit_expr(&mut self, expr: &'ast syn::Expr) {
                self.0 += 1;
                syn::visit::visit_expr(self, expr);
            }
        }
        let mut walk = Walk(0);
        syn::visit_mut::VisitMut::visit_item_fn_mut(&mut walk, &mut item);
        syn::visit::Visit::visit_item_fn(&mut walk, &item);
    }
    quote!(#item).into()
}
