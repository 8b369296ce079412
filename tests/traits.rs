//! What the returned value implements: Iterator adapters, FusedIterator, Debug, Send/Sync when
//! the body's state is, the Generator trait (also boxed), and #[must_use].
#![cfg_attr(target_family = "wasm", allow(dead_code, unused_imports))] // helpers of tests gated on threads

use corogen::Body;
use corogen::prelude::*;
use std::iter::FusedIterator;
use std::pin::Pin;
use std::rc::Rc;

#[generator(yield = u64)]
fn naturals() {
    let mut n = 0;
    loop {
        yield_!(n);
        n += 1;
    }
}

fn assert_send<T: Send>(_: &T) {}
fn assert_sync<T: Sync>(_: &T) {}
fn assert_fused<T: FusedIterator>(_: &T) {}

#[test]
fn iterator_adapters_work_directly() {
    assert_eq!(naturals().take(3).collect::<Vec<_>>(), [0, 1, 2]);
    let pairs: Vec<_> = naturals().zip(naturals().skip(1)).take(2).collect();
    assert_eq!(pairs, [(0, 1), (1, 2)]);
    let mut g = naturals();
    let firsts: Vec<_> = g.by_ref().take(2).collect();
    assert_eq!(firsts, [0, 1]);
    assert_eq!(
        g.next(),
        Some(2),
        "by_ref leaves the generator where it stopped"
    );
    let mut sum = 0;
    for x in naturals().take_while(|&x| x < 4) {
        sum += x;
    }
    assert_eq!(sum, 6);
    assert_fused(&g);
}

#[cfg(not(target_family = "wasm"))] // spawns a thread: wasm has none
#[test]
fn send_and_sync_follow_the_body() {
    let g = naturals();
    assert_send(&g);
    assert_sync(&g);
    let shared = Rc::new(1);
    let holds_rc = gen_!({
        let shared = shared;
        yield_!(*shared);
    });
    // `holds_rc` is neither Send nor Sync (checked by the UI tests); it still runs.
    assert_eq!(holds_rc.collect::<Vec<_>>(), [1]);
    let moved_to_thread = std::thread::spawn(move || g.take(3).sum::<u64>())
        .join()
        .unwrap();
    assert_eq!(moved_to_thread, 3);
}

/// `send` checks `Send` at the definition (its failure is a UI test); a body that is `Send`
/// compiles and behaves as without it, for plain, local and async generators alike.
#[generator(yield = String, resume = Option<u32>, send)]
fn labels(prefix: String) -> usize {
    let mut count = 0;
    while let Some(n) = yield_!(format!("{prefix}{count}")) {
        count += n as usize;
    }
    count
}

#[generator(local, yield = u8, send)]
fn local_and_send() {
    yield_!(1);
}

#[generator(yield = u8, send)]
async fn async_and_send() {
    yield_!(2);
}

#[cfg(not(target_family = "wasm"))] // spawns a thread: wasm has none
#[test]
fn the_send_option_accepts_a_send_body() {
    let mut g = labels("n".to_owned());
    assert_eq!(g.send(Some(0)), Ok("n0".to_owned()));
    let on_thread = std::thread::spawn(move || (g.send(Some(2)), g.send(None)))
        .join()
        .unwrap();
    assert_eq!(on_thread, (Ok("n2".to_owned()), Err(StopIteration(2))));
    let local = local_and_send();
    assert_send(&local);
    assert_send(&async_and_send());
    let mut local = std::pin::pin!(local);
    assert_eq!(local.as_mut().send(()), Ok(1));
}

#[test]
fn debug_shows_the_name_and_status() {
    let mut g = naturals();
    assert_eq!(
        format!("{g:?}"),
        r#"Gen { name: "naturals", state: Created, .. }"#
    );
    g.next();
    assert_eq!(g.state(), GenState::Suspended);
    assert_eq!(
        format!("{g:?}"),
        r#"Gen { name: "naturals", state: Suspended, .. }"#
    );
    let e = gen_!({ yield_!(()) });
    assert_eq!(
        format!("{e:?}"),
        r#"Gen { name: "<gen_!>", state: Created, .. }"#
    );
}

fn drive<G: Generator<i32, Yield = i32, Return = &'static str> + Unpin>(
    mut g: G,
) -> Vec<GeneratorState<i32, &'static str>> {
    (1..=3).map(|x| Pin::new(&mut g).resume(x)).collect()
}

#[generator(yield = i32, resume = i32)]
fn negate_twice() -> &'static str {
    let mut x = yield_!(0);
    x = yield_!(-x);
    let _ = x;
    "done"
}

#[test]
fn the_generator_trait_by_value_by_reference_and_boxed() {
    let expected = [
        GeneratorState::Yielded(0),
        GeneratorState::Yielded(-2),
        GeneratorState::Complete("done"),
    ];
    assert_eq!(drive(negate_twice()), expected);
    let mut g = negate_twice();
    assert_eq!(drive(&mut g), expected);
    let boxed: Box<dyn Generator<i32, Yield = i32, Return = &'static str> + Unpin> =
        Box::new(negate_twice());
    assert_eq!(drive(boxed), expected);
    let mut pinned: Pin<Box<dyn Generator<i32, Yield = i32, Return = &'static str>>> =
        Box::pin(negate_twice());
    assert_eq!(pinned.as_mut().resume(0), GeneratorState::Yielded(0));
}

/// The type is nameable through `Body`.
fn evens() -> corogen::Gen<impl Body<Yield = u32, Resume = (), Return = ()>> {
    gen_!({
        for i in 0..3 {
            yield_!(i * 2);
        }
    })
}

#[test]
fn a_generator_type_can_be_named_in_a_signature() {
    assert_eq!(evens().collect::<Vec<_>>(), [0, 2, 4]);
}

#[test]
fn gen_expression_moves_what_it_captures_and_runs_lazily() {
    let ran_cell = std::cell::Cell::new(false);
    let ran = &ran_cell;
    let data = vec![1, 2, 3];
    let g = gen_!({
        ran.set(true);
        for x in &data {
            yield_!(*x);
        }
        data.len()
    });
    assert!(!ran.get(), "nothing runs before the first resume");
    let mut g = g;
    assert_eq!(g.by_ref().collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(g.return_value(), Some(&3));
    assert!(ran_cell.get());
}
