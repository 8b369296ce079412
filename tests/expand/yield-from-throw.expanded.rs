use corogen::prelude::*;
fn countdown(
    from: u32,
) -> ::corogen::Gen<
    impl ::corogen::Body<
        Yield = u32,
        Resume = ::core::result::Result<(), String>,
        Return = Result<u32, String>,
    >,
> {
    enum __CorogenMarker {}
    impl ::corogen::__private::Marker for __CorogenMarker {
        const NAME: &'static str = "countdown";
        const DELEGATES: bool = true;
    }
    #[allow(unused_imports)]
    use ::corogen::__private::Unfinished as _;
    let __co = unsafe {
        ::corogen::__private::Co::<
            u32,
            ::core::result::Result<(), String>,
            __CorogenMarker,
        >::new()
    };
    ::corogen::__private::new_gen(
        __co,
        ::corogen::__private::call_once_1(
            async move |from| {
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                if false {
                    return ::core::panicking::panic("explicit panic")
                        as Result<u32, String>;
                }
                let __ret: Result<u32, String> = {
                    {
                        #[allow(unused_imports)]
                        use ::corogen::__private::{GenKind as _, IterKind as _};
                        let mut __sub = match (1..=from).rev() {
                            __value => {
                                (&__value).__corogen_kind().delegate_throwing(__co, __value)
                            }
                        };
                        __co.delegate(&mut __sub).await;
                        ::corogen::__private::Finish::finish(&mut __sub)
                    }?;
                    Ok(from)
                };
                #[allow(unreachable_code)] __ret
            },
            from,
        ),
    )
}
fn twice(
    from: u32,
) -> ::corogen::Gen<
    impl ::corogen::Body<
        Yield = u32,
        Resume = ::core::result::Result<(), String>,
        Return = Result<u32, String>,
    >,
> {
    enum __CorogenMarker {}
    impl ::corogen::__private::Marker for __CorogenMarker {
        const NAME: &'static str = "twice";
        const DELEGATES: bool = true;
    }
    #[allow(unused_imports)]
    use ::corogen::__private::Unfinished as _;
    let __co = unsafe {
        ::corogen::__private::Co::<
            u32,
            ::core::result::Result<(), String>,
            __CorogenMarker,
        >::new()
    };
    ::corogen::__private::new_gen(
        __co,
        ::corogen::__private::call_once_1(
            async move |from| {
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                if false {
                    return ::core::panicking::panic("explicit panic")
                        as Result<u32, String>;
                }
                let __ret: Result<u32, String> = {
                    let first = {
                        #[allow(unused_imports)]
                        use ::corogen::__private::{GenKind as _, IterKind as _};
                        let mut __sub = match countdown(from) {
                            __value => {
                                (&__value).__corogen_kind().delegate_throwing(__co, __value)
                            }
                        };
                        __co.delegate(&mut __sub).await;
                        ::corogen::__private::Finish::finish(&mut __sub)
                    }?;
                    let second = {
                        #[allow(unused_imports)]
                        use ::corogen::__private::{GenKind as _, IterKind as _};
                        let mut __sub = match countdown(from) {
                            __value => {
                                (&__value).__corogen_kind().delegate_throwing(__co, __value)
                            }
                        };
                        __co.delegate(&mut __sub).await;
                        ::corogen::__private::Finish::finish(&mut __sub)
                    }?;
                    Ok(first + second)
                };
                #[allow(unreachable_code)] __ret
            },
            from,
        ),
    )
}
fn main() {
    let _ = twice(3);
}
