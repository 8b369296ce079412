use corogen::prelude::*;
fn fib(
    n: usize,
) -> ::corogen::Gen<
    impl ::corogen::Body<Yield = u64, Resume = (), Return = &'static str>,
> {
    enum __CorogenMarker {}
    impl ::corogen::__private::Marker for __CorogenMarker {
        const NAME: &'static str = "fib";
        const DELEGATES: bool = false;
    }
    #[allow(unused_imports)]
    use ::corogen::__private::Unfinished as _;
    let __co = unsafe { ::corogen::__private::Co::<u64, (), __CorogenMarker>::new() };
    ::corogen::__private::new_gen(
        __co,
        ::corogen::__private::call_once_1(
            async move |n| {
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                if false {
                    return ::core::panicking::panic("explicit panic") as &'static str;
                }
                let __ret: &'static str = {
                    let (mut a, mut b) = (0, 1);
                    for _ in 0..n {
                        __co.yield_({
                                let __yielded: u64 = a;
                                __yielded
                            })
                            .await;
                        (a, b) = (b, a + b);
                    }
                    "done"
                };
                #[allow(unreachable_code)] __ret
            },
            n,
        ),
    )
}
fn main() {
    let _ = fib(10);
}
