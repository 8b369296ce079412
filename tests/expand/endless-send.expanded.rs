use corogen::prelude::*;
fn naturals() -> ::corogen::Gen<
    impl ::corogen::Body<Yield = u64, Resume = (), Return = ::core::convert::Infallible>,
> {
    enum __CorogenMarker {}
    impl ::corogen::__private::Marker for __CorogenMarker {
        const NAME: &'static str = "naturals";
        const DELEGATES: bool = false;
    }
    #[allow(unused_imports)]
    use ::corogen::__private::Unfinished as _;
    let __co = unsafe { ::corogen::__private::Co::<u64, (), __CorogenMarker>::new() };
    ::corogen::__private::new_gen(
        __co,
        ::corogen::__private::require_send(async move {
            #[allow(unreachable_code, clippy::diverging_sub_expression)]
            if false {
                return ::core::panicking::panic("explicit panic")
                    as ::core::convert::Infallible;
            }
            let __ret: ::core::convert::Infallible = {
                let mut n = 0;
                loop {
                    __co.yield_({
                            let __yielded: u64 = n;
                            __yielded
                        })
                        .await;
                    n += 1;
                }
            };
            #[allow(unreachable_code)] __ret
        }),
    )
}
fn main() {
    let _ = naturals();
}
