use corogen::prelude::*;
struct Scale {
    factor: u32,
}
impl Scale {
    fn scaled<'__life0>(
        &'__life0 self,
    ) -> ::corogen::Gen<
        impl ::corogen::Body<
            Yield = u32,
            Resume = u32,
            Return = u32,
        > + ::corogen::__private::Captures<
            &'__life0 (),
        > + ::corogen::__private::Captures<Self>,
    > {
        enum __CorogenMarker {}
        impl ::corogen::__private::Marker for __CorogenMarker {
            const NAME: &'static str = "scaled";
            const DELEGATES: bool = false;
        }
        #[allow(unused_imports)]
        use ::corogen::__private::Unfinished as _;
        let __co = unsafe {
            ::corogen::__private::Co::<u32, u32, __CorogenMarker>::new()
        };
        ::corogen::__private::new_gen(
            __co,
            async move {
                let first: u32 = __co.first_arg().await;
                #[allow(unreachable_code, clippy::diverging_sub_expression)]
                if false {
                    return ::core::panicking::panic("explicit panic") as u32;
                }
                let __ret: u32 = {
                    let mut total = first;
                    loop {
                        let next = __co
                            .yield_({
                                let __yielded: u32 = total * self.factor;
                                __yielded
                            })
                            .await;
                        if next == 0 {
                            return total;
                        }
                        total += next;
                    }
                };
                #[allow(unreachable_code)] __ret
            },
        )
    }
}
fn main() {
    let _ = Scale { factor: 2 }.scaled();
}
