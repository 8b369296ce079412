//! The seed tutorial's iterator and generator examples (sections 7.1 and 7.2), with the outputs
//! its transcripts show.

use corogen::prelude::*;

/// The tutorial's `FibIterator` class, as a hand-written iterator.
struct FibIterator {
    n: usize,
    current: usize,
    num1: u64,
    num2: u64,
}

impl FibIterator {
    fn new(n: usize) -> Self {
        FibIterator {
            n,
            current: 0,
            num1: 0,
            num2: 1,
        }
    }
}

impl Iterator for FibIterator {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        if self.current < self.n {
            let num = self.num1;
            (self.num1, self.num2) = (self.num2, self.num1 + self.num2);
            self.current += 1;
            Some(num)
        } else {
            None
        }
    }
}

/// The tutorial's `fib` generator: `yield num` … `return 'done'`.
#[generator(yield = u64)]
fn fib(n: usize) -> &'static str {
    let mut current = 0;
    let (mut num1, mut num2) = (0, 1);
    while current < n {
        let num = num1;
        (num1, num2) = (num2, num1 + num2);
        current += 1;
        yield_!(num);
    }
    "done"
}

fn joined(items: impl IntoIterator<Item = u64>) -> String {
    items
        .into_iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn fib_iterator_and_fib_generator_print_the_sequence() {
    // `for num in fib: print(num, end=" ")`
    assert_eq!(joined(FibIterator::new(10)), "0 1 1 2 3 5 8 13 21 34");
    assert_eq!(joined(fib(10)), "0 1 1 2 3 5 8 13 21 34");
}

#[test]
fn list_and_tuple_of_a_fib_iterator() {
    // `list(FibIterator(15))`, `tuple(FibIterator(6))`
    let list: Vec<u64> = FibIterator::new(15).collect();
    assert_eq!(
        list,
        [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377]
    );
    assert_eq!(fib(15).collect::<Vec<_>>(), list);
    let tuple: [u64; 6] = fib(6).collect::<Vec<_>>().try_into().unwrap();
    assert_eq!(tuple, [0, 1, 1, 2, 3, 5]);
}

#[test]
fn generator_expression_doubles_a_range() {
    // `G = (x*2 for x in range(5))`, then next(G) five times, then StopIteration.
    let mut g = gen_!({
        for x in 0..5 {
            yield_!(x * 2);
        }
    });
    assert_eq!(
        [g.next(), g.next(), g.next(), g.next(), g.next()],
        [0, 2, 4, 6, 8].map(Some)
    );
    assert_eq!(g.next(), None);
    // `for x in G: print(x)` on a fresh one.
    let fresh = gen_!({
        for x in 0..5 {
            yield_!(x * 2);
        }
    });
    assert_eq!(fresh.collect::<Vec<_>>(), [0, 2, 4, 6, 8]);
}

/// The seed's transcripts for `fib(5)` show `1 1 2 3 5`, which its code (yield `num` = the old
/// `num1`) cannot print: Python runs that code as `0 1 1 2 3`. The transcript comes from the
/// variant that yields after the update; this is that variant.
#[generator(yield = u64)]
fn fib_as_in_the_transcript(n: usize) -> &'static str {
    let mut current = 0;
    let (mut num1, mut num2) = (0, 1);
    while current < n {
        (num1, num2) = (num2, num1 + num2);
        current += 1;
        yield_!(num1);
    }
    "done"
}

#[test]
fn fib_transcript_next_calls() {
    // In [31]: F = fib(5); next(F) ×5 → 1 1 2 3 5; next(F) → StopIteration: done
    let mut f = fib_as_in_the_transcript(5);
    let values: Vec<_> = (0..5).map(|_| f.send(()).unwrap()).collect();
    assert_eq!(values, [1, 1, 2, 3, 5]);
    let stop = f.send(()).unwrap_err();
    assert_eq!(stop, StopIteration("done"));
    assert_eq!(stop.to_string(), "generator returned \"done\"");
    // In [38]: for n in fib(5): print(n)
    assert_eq!(
        fib_as_in_the_transcript(5).collect::<Vec<_>>(),
        [1, 1, 2, 3, 5]
    );
}

/// The transcript's `while True: try: x = next(g); print("value:%d"%x) except StopIteration
/// as e: print("生成器返回值:%s"%e.value)`.
fn print_until_stop_iteration<B>(mut g: corogen::Gen<B>) -> Vec<String>
where
    B: corogen::Body<Yield = u64, Resume = (), Return = &'static str>,
{
    let mut transcript = Vec::new();
    loop {
        match g.send(()) {
            Ok(x) => transcript.push(format!("value:{x}")),
            Err(StopIteration(value)) => {
                transcript.push(format!("生成器返回值:{value}"));
                return transcript;
            }
        }
    }
}

#[test]
fn fib_transcript_catching_stop_iteration() {
    let transcript = print_until_stop_iteration(fib_as_in_the_transcript(5));
    let expected = [
        "value:1",
        "value:1",
        "value:2",
        "value:3",
        "value:5",
        "生成器返回值:done",
    ];
    assert_eq!(transcript, expected);
}

#[test]
fn fib_return_value_comes_back_in_stop_iteration() {
    let transcript = print_until_stop_iteration(fib(5));
    let expected = [
        "value:0",
        "value:1",
        "value:1",
        "value:2",
        "value:3",
        "生成器返回值:done",
    ];
    assert_eq!(transcript, expected);
    // `for n in fib(5)` cannot see the return value; the iterator keeps it.
    let mut g = fib(5);
    assert_eq!(g.by_ref().count(), 5);
    assert_eq!(g.return_value(), Some(&"done"));
}

/// The tutorial's `gen()`: `temp = yield i; print(temp)`. `next(f)` sends `None`.
#[generator(yield = u32, resume = Option<&'static str>)]
fn gen_send(out: &mut Vec<String>) {
    let mut i = 0;
    while i < 5 {
        let temp = yield_!(i);
        out.push(match temp {
            Some(text) => text.to_string(),
            None => "None".to_string(),
        });
        i += 1;
    }
}

#[test]
fn send_transcript_matches_the_seed() {
    // f = gen(); next(f); f.send('haha'); next(f); f.send('haha')
    let mut printed = Vec::new();
    let mut results = Vec::new();
    {
        let mut f = gen_send(&mut printed);
        results.push(f.next());
        results.push(f.send(Some("haha")).ok());
        results.push(f.next());
        results.push(f.send(Some("haha")).ok());
    }
    assert_eq!(results, [Some(0), Some(1), Some(2), Some(3)]);
    assert_eq!(printed, ["haha", "None", "haha"]);
}

#[test]
fn next_transcript_matches_the_seed() {
    // next(f) six times: 0..4 with `None` printed between, then StopIteration.
    let mut printed = Vec::new();
    let mut results = Vec::new();
    {
        let mut f = gen_send(&mut printed);
        for _ in 0..6 {
            results.push(f.next());
        }
    }
    assert_eq!(results, [Some(0), Some(1), Some(2), Some(3), Some(4), None]);
    assert_eq!(printed, ["None"; 5]);
}

/// The tutorial's `work1`/`work2`: `while True: print(...); yield`.
#[generator(yield = ())]
fn work(name: &'static str, log: &std::cell::RefCell<Vec<String>>) {
    loop {
        log.borrow_mut().push(format!("----{name}---"));
        yield_!();
    }
}

#[test]
fn work1_and_work2_take_turns() {
    let log = std::cell::RefCell::new(Vec::new());
    let mut w1 = work("work1", &log);
    let mut w2 = work("work2", &log);
    for _ in 0..3 {
        w1.next();
        w2.next();
    }
    assert_eq!(
        *log.borrow(),
        [
            "----work1---",
            "----work2---",
            "----work1---",
            "----work2---",
            "----work1---",
            "----work2---"
        ]
    );
}
