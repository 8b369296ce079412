//! One step of a plain body (one without `yield_from!`): what every resume of a `GenLocal`, and
//! of a `Gen` that does not delegate, comes down to. Needs no allocator.

use core::pin::Pin;
use core::task::Poll;

use crate::body::Body;
use crate::slot::Slot;

/// What one poll of a plain body (one without `yield_from!`) did.
pub(crate) enum BodyStep<Y, Ret> {
    Yielded(Y),
    Complete(Ret),
}

/// Polls `body` once with a slot waker: what every resume of a plain generator (one without
/// `yield_from!`, so whose body never leaves a delegation request) comes down to.
#[inline(always)]
pub(crate) fn poll_body<B: Body>(
    body: Pin<&mut B>,
    arg: B::Resume,
) -> BodyStep<B::Yield, B::Return> {
    let mut slot = Slot::new(arg);
    match slot.poll_with(B::__marker(), |cx| body.__poll(cx)) {
        Poll::Ready(value) => BodyStep::Complete(value),
        Poll::Pending => match slot.take_yielded() {
            Some(value) => BodyStep::Yielded(value),
            // The caller's status stays `Running`: the body is stuck in a foreign future.
            None => awaited_pending_future(),
        },
    }
}

#[cold]
#[inline(never)]
pub(crate) fn awaited_pending_future() -> ! {
    panic!(
        "corogen: a generator's body awaited a future that was not ready; only async \
         generators can wait for futures"
    )
}
