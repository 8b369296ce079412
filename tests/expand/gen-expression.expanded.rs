use corogen::prelude::*;
fn main() {
    let limit = 5;
    let doubled = {
        enum __CorogenMarker {}
        impl ::corogen::__private::Marker for __CorogenMarker {
            const NAME: &'static str = "<gen_!>";
            const DELEGATES: bool = false;
        }
        #[allow(unused_imports)]
        use ::corogen::__private::Unfinished as _;
        let __co = unsafe { ::corogen::__private::Co::<_, (), __CorogenMarker>::new() };
        ::corogen::__private::new_gen(
            __co,
            async move {
                for x in 0..limit {
                    __co.yield_(x * 2).await;
                }
            },
        )
    };
    let _ = doubled;
}
