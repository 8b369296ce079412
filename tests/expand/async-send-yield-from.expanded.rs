use corogen::prelude::*;
#[inline]
fn relay(
    n: u32,
) -> ::corogen::AsyncGen<
    impl ::corogen::Body<Yield = u32, Resume = Option<u32>, Return = u32>,
> {
    enum __CorogenMarker {}
    impl ::corogen::__private::Marker for __CorogenMarker {
        const NAME: &'static str = "relay";
        const DELEGATES: bool = true;
        const TAKES_VALUES: bool = true;
    }
    #[allow(unused_imports)]
    use ::corogen::__private::Unfinished as _;
    let __co = unsafe {
        ::corogen::__private::AsyncCo::<u32, __CorogenMarker, Option<u32>>::new()
    };
    ::corogen::__private::new_async_gen(
        __co,
        ::corogen::__private::call_once_1(
            async move |n| {
                let _: Option<u32> = __co.first_arg().await;
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                if false {
                    return ::core::panicking::panic("explicit panic") as u32;
                }
                let __ret: u32 = {
                    {
                        #[allow(unused_imports)]
                        use ::corogen::__private::{
                            AsyncGenKind as _, StreamKind as _, AsyncIterKind as _,
                        };
                        let mut __sub = match 0..n {
                            __value => {
                                (&&&::corogen::__private::probe(&__value))
                                    .__corogen_async_kind()
                                    .delegate(__co, __value)
                            }
                        };
                        __co.delegate(&mut __sub).await;
                        ::corogen::__private::Finish::finish(&mut __sub)
                    };
                    let sent = __co
                        .yield_taking({
                            let __yielded: u32 = n;
                            __yielded
                        })
                        .await;
                    sent.unwrap_or(0)
                };
                #[allow(unreachable_code)] __ret
            },
            n,
        ),
    )
}
fn main() {
    let _ = relay(3);
}
