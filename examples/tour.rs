//! A tour of corogen: every feature once, with its output. `cargo run --release --example tour`

use corogen::hub::{self, Hub, Op, Reply, op};
use corogen::prelude::*;
use std::pin::Pin;
use std::time::Duration;

/// The seed's `fib`: yields the sequence, returns `"done"` (Python's `StopIteration.value`).
#[generator(yield = u64)]
fn fib(n: usize) -> &'static str {
    let (mut a, mut b) = (0, 1);
    for _ in 0..n {
        yield_!(a);
        (a, b) = (b, a + b);
    }
    "done"
}

/// The seed's `gen()`: `temp = yield i; print(temp)`; `next()` sends `None`.
#[generator(yield = u32, resume = Option<&'static str>)]
fn gen_send() {
    let mut i = 0;
    while i < 5 {
        let temp = yield_!(i);
        println!("    {}", temp.unwrap_or("None"));
        i += 1;
    }
}

/// A coroutine that takes values and returns a total: `send` in, `StopIteration` out.
#[generator(yield = f64, resume = f64 as first)]
fn averager(count: usize) -> f64 {
    let mut total = first;
    for seen in 1..count {
        total += yield_!(total / seen as f64);
    }
    total / count as f64
}

/// Borrowing: slices of the input, across yields.
#[generator(yield = &'a str)]
fn words<'a>(text: &'a str) -> usize {
    let mut n = 0;
    for word in text.split_whitespace() {
        n += 1;
        yield_!(word);
    }
    n
}

/// Recursion: a generator iterating fresh calls of itself.
#[generator(yield = String)]
fn permutations(items: Vec<char>) {
    if items.len() <= 1 {
        yield_!(items.iter().collect());
        return;
    }
    for i in 0..items.len() {
        let mut rest = items.clone();
        let head = rest.remove(i);
        for tail in permutations(rest) {
            yield_!(format!("{head}{tail}"));
        }
    }
}

/// The seed's `work1`/`work2`: cooperative round-robin with bare yields.
#[generator(yield = ())]
fn work(name: &'static str) {
    loop {
        println!("    ----{name}---");
        yield_!();
    }
}

struct Guard(&'static str);

impl Drop for Guard {
    fn drop(&mut self) {
        println!("    dropped {}", self.0);
    }
}

/// Delegation (`yield from`): Guido's recursive in-order tree walk.
struct Tree(Option<Box<(Tree, char, Tree)>>);

fn tree(labels: &[char]) -> Tree {
    if labels.is_empty() {
        return Tree(None);
    }
    let mid = labels.len() / 2;
    Tree(Some(Box::new((
        tree(&labels[..mid]),
        labels[mid],
        tree(&labels[mid + 1..]),
    ))))
}

#[generator(yield = char)]
fn inorder(t: &Tree) {
    if let Some(node) = &t.0 {
        yield_from!(inorder(&node.0));
        yield_!(node.1);
        yield_from!(inorder(&node.2));
    }
}

/// A sub-generator's return value comes out of `yield_from!`.
#[generator(yield = &'static str)]
fn greet() -> usize {
    yield_!("hello");
    yield_!("world");
    2
}

#[generator(yield = &'static str)]
fn greet_twice() -> usize {
    let first = yield_from!(greet());
    let second = yield_from!(greet());
    first + second
}

/// `throw`: errors raised at the suspended `yield_!`, caught or propagated with `?`.
#[generator(yield = u32, resume = (), throw = String)]
fn counter() -> Result<u32, String> {
    let mut n = 0;
    loop {
        match yield_!(n) {
            Ok(()) => n += 1,
            Err(e) if e == "reset" => n = 0,
            Err(e) => return Err(e),
        }
    }
}

/// An async generator: `.await` and `yield_!` together, consumed as a `Stream`.
#[generator(yield = u32)]
async fn ticker(n: u32) -> &'static str {
    for i in 0..n {
        std::future::ready(()).await;
        yield_!(i * 10);
    }
    "tick tock"
}

/// Async delegation: to other async generators, the first's return value coming back.
#[generator(yield = u32)]
async fn tickers() -> usize {
    let said = yield_from!(ticker(2));
    yield_from!(ticker(1));
    said.len()
}

/// An async generator that takes values: Python's `asend`.
#[generator(yield = u32, resume = u32)]
async fn running_total() -> u32 {
    let mut total = 0;
    while total < 10 {
        std::future::ready(()).await;
        total += yield_!(total);
    }
    total
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
    }
}

/// A scheduler task written the SimPy way: its yields are requests to the hub.
#[generator(yield = Op, resume = Reply)]
fn clock(name: &'static str, tick: u64, rounds: u32) {
    for _ in 0..rounds {
        println!("    {name} at {:?}", hub::now());
        yield_!(op::sleep(Duration::from_secs(tick)));
    }
}

/// Zero-allocation: a `GenLocal`, for many short generators in a hot loop.
#[generator(local, yield = u32)]
fn pair_local(x: u32) {
    yield_!(x);
    yield_!(x * 10);
}

/// A `Gen` whose block comes from a per-thread free list: for short generators that escape.
#[generator(recycle, yield = u32)]
fn pair_recycled(x: u32) {
    yield_!(x);
    yield_!(x * 10);
}

#[generator(yield = u8)]
fn with_cleanup() {
    let _outer = Guard("outer");
    let _inner = Guard("inner");
    yield_!(1);
    yield_!(2);
}

fn main() {
    println!("fib(10), an Iterator:");
    println!("    {:?}", fib(10).collect::<Vec<_>>());

    println!("fib(2) with send, ending in StopIteration:");
    let mut g = fib(2);
    for _ in 0..3 {
        println!("    {:?}", g.send(()));
    }

    println!("after a for loop, the return value is kept:");
    let mut g = fib(5);
    let sum: u64 = g.by_ref().sum();
    println!("    sum = {sum}, return_value = {:?}", g.return_value());

    println!("generator expression (x * 2 for x in range(5)):");
    let doubled = gen_!({
        for x in 0..5 {
            yield_!(x * 2);
        }
    });
    println!("    {:?}", doubled.collect::<Vec<_>>());

    println!("the seed's send transcript: next(f), f.send('haha'), next(f), f.send('haha'):");
    let mut f = gen_send();
    println!("    -> {:?}", f.next());
    println!("    -> {:?}", f.send(Some("haha")));
    println!("    -> {:?}", f.next());
    println!("    -> {:?}", f.send(Some("haha")));

    println!("a coroutine fed with send (resume = f64 as first):");
    let mut avg = averager(3);
    println!("    send(10.0) -> {:?}", avg.send(10.0));
    println!("    send(20.0) -> {:?}", avg.send(20.0));
    println!("    send(30.0) -> {:?}", avg.send(30.0));

    println!("borrowed yields:");
    let text = String::from("the quick brown fox");
    let mut w = words(&text);
    println!(
        "    {:?}, {:?} words",
        w.by_ref().collect::<Vec<_>>(),
        w.return_value()
    );

    println!("recursion: permutations of abc:");
    println!(
        "    {:?}",
        permutations(vec!['a', 'b', 'c']).collect::<Vec<_>>()
    );

    println!("round-robin coroutines (work1/work2), three turns each:");
    let (mut w1, mut w2) = (work("work1"), work("work2"));
    for _ in 0..3 {
        w1.next();
        w2.next();
    }

    println!("many short-lived generators: flat_map of GenLocals (FlatMapPinned), recycle:");
    let flat: Vec<u32> = std::pin::pin!(corogen::FlatMapPinned::new(1..4, pair_local)).collect();
    println!("    {flat:?}");
    let kept: Vec<_> = (1..4).map(pair_recycled).collect();
    let sums: Vec<u32> = kept.into_iter().map(|g| g.sum()).collect();
    println!("    sums of stored recycle generators: {sums:?}");

    println!("the Generator trait, boxed as a trait object:");
    let mut boxed: Box<dyn Generator<Yield = u64, Return = &'static str> + Unpin> =
        Box::new(fib(1));
    println!("    {:?}", Pin::new(&mut boxed).resume(()));
    println!("    {:?}", Pin::new(&mut boxed).resume(()));

    println!("yield_from!: a recursive in-order walk of a tree over A..Z:");
    let labels: Vec<char> = ('A'..='Z').collect();
    println!("    {}", inorder(&tree(&labels)).collect::<String>());

    println!("yield_from! evaluates to the sub-generator's return value:");
    let mut g = greet_twice();
    println!(
        "    {:?}, returned {:?}",
        g.by_ref().collect::<Vec<_>>(),
        g.return_value()
    );

    println!("throw: caught (reset) and uncaught (fatal):");
    let mut c = counter();
    println!("    {:?} {:?}", c.next(), c.next());
    println!("    throw(reset) -> {:?}", c.throw("reset".into()));
    println!("    throw(fatal) -> {:?}", c.throw("fatal".into()));
    println!("    state: {:?}", c.state());

    println!("an async generator, polled as a Stream:");
    let mut t = ticker(3);
    block_on(async {
        while let Some(x) = t.next().await {
            println!("    tick {x}");
        }
    });
    println!("    returned {:?}", t.return_value());
    let mut t = tickers();
    block_on(async {
        while let Some(x) = t.next().await {
            println!("    delegated tick {x}");
        }
    });
    println!(
        "    yield_from! gave back a return value; returned {:?}",
        t.return_value()
    );
    let mut r = running_total();
    block_on(async {
        println!("    send(0) -> {:?}", r.send(0).await);
        println!("    send(4) -> {:?}", r.send(4).await);
        println!("    send(7) -> {:?}", r.send(7).await);
    });

    println!("the hub (gevent): a generator task and an async task, on a virtual clock:");
    let hub = Hub::new_virtual();
    hub.spawn(clock("generator task", 2, 3));
    let answer = hub.spawn(async {
        for _ in 0..2 {
            println!("    async task at {:?}", hub::now());
            hub::sleep(Duration::from_secs(3)).await;
        }
        42
    });
    hub.run();
    println!(
        "    async task returned {:?}; virtual time now {:?}",
        answer.try_get(),
        hub.now()
    );

    println!("dropping a suspended generator runs its cleanup, innermost first:");
    let mut c = with_cleanup();
    println!("    got {:?}", c.next());
    drop(c);
    println!("Debug of a generator: {:?}", fib(1));
}
