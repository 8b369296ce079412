//! Generators on every kind of function: methods, generics, lifetimes, where clauses, `impl Trait`
//! arguments, patterns in parameters, visibility and attributes.

use corogen::prelude::*;
use std::fmt::Display;

struct Library {
    titles: Vec<String>,
}

impl Library {
    /// Yields `&str` borrowed from `self`: the elided lifetime follows `&self`.
    #[generator(yield = &str)]
    fn titles(&self) {
        for title in &self.titles {
            yield_!(title.as_str());
        }
    }

    #[generator(yield = String)]
    fn drain_upper(&mut self) -> usize {
        let n = self.titles.len();
        while let Some(title) = self.titles.pop() {
            yield_!(title.to_uppercase());
        }
        n
    }

    #[generator(yield = String)]
    fn into_titles(self) {
        for title in self.titles {
            yield_!(title);
        }
    }
}

#[test]
fn method_generators_borrow_and_consume_self() {
    let mut library = Library {
        titles: vec!["Dune".into(), "Emma".into()],
    };
    assert_eq!(library.titles().collect::<Vec<_>>(), ["Dune", "Emma"]);
    let mut drain = library.drain_upper();
    assert_eq!(drain.by_ref().collect::<Vec<_>>(), ["EMMA", "DUNE"]);
    assert_eq!(drain.return_value(), Some(&2));
    drop(drain);
    assert!(library.titles.is_empty());
    let library = Library {
        titles: vec!["Ulysses".into()],
    };
    assert_eq!(library.into_titles().collect::<Vec<_>>(), ["Ulysses"]);
}

#[generator(yield = &'a str)]
fn split_words<'a>(text: &'a str, separator: char) -> usize {
    let mut count = 0;
    for word in text.split(separator).filter(|w| !w.is_empty()) {
        count += 1;
        yield_!(word);
    }
    count
}

#[test]
fn yields_slices_of_an_input() {
    let text = String::from("a,bb,,ccc");
    let mut words = split_words(&text, ',');
    assert_eq!(words.by_ref().collect::<Vec<&str>>(), ["a", "bb", "ccc"]);
    assert_eq!(words.return_value(), Some(&3));
}

#[generator(yield = &str)]
fn elided_single_input(text: &str) {
    yield_!(&text[..1]);
    yield_!(&text[1..]);
}

#[test]
fn elided_yield_lifetime_follows_the_only_input() {
    assert_eq!(elided_single_input("xyz").collect::<Vec<_>>(), ["x", "yz"]);
}

#[generator(yield = String)]
pub(crate) fn labelled<T, I>(label: impl Display, items: I) -> usize
where
    I: IntoIterator<Item = T>,
    T: Display,
{
    let mut n = 0;
    for item in items {
        n += 1;
        yield_!(format!("{label}{item}"));
    }
    n
}

#[test]
fn generics_where_clauses_and_impl_trait_arguments() {
    let mut g = labelled("#", [1, 2]);
    assert_eq!(g.next().as_deref(), Some("#1"));
    assert_eq!(g.next().as_deref(), Some("#2"));
    assert_eq!(g.next(), None);
    assert_eq!(g.return_value(), Some(&2));
}

#[generator]
fn squares(limit: u32) -> impl Iterator<Item = u32> {
    for i in 0..limit {
        yield_!(i * i);
    }
}

#[test]
fn impl_iterator_return_gives_the_yield_type() {
    assert_eq!(squares(4).collect::<Vec<_>>(), [0, 1, 4, 9]);
}

#[generator(yield = i32)]
fn pattern_params((a, b): (i32, i32), mut step: i32, _: ()) -> i32 {
    step *= 2;
    yield_!(a + step);
    yield_!(b + step);
    step
}

#[test]
fn pattern_and_mut_parameters() {
    let mut g = pattern_params((1, 2), 5, ());
    assert_eq!(g.send(()), Ok(11));
    assert_eq!(g.send(()), Ok(12));
    assert_eq!(g.send(()), Err(StopIteration(10)));
}

/// More than eight parameters: the body's closure takes them as one tuple (`call_once_tuple`).
#[generator(yield = u32)]
#[allow(clippy::too_many_arguments)]
fn nine_params(
    a: u32,
    (b, c): (u32, u32),
    mut d: u32,
    e: &u32,
    f: u32,
    g: u32,
    h: u32,
    _: (),
    i: String,
) -> usize {
    d += 1;
    yield_!(a + b + c + d + *e + f + g + h);
    i.len()
}

#[test]
fn more_than_eight_parameters() {
    let e = 5;
    let mut g = nine_params(1, (2, 3), 4, &e, 6, 7, 8, (), "nine".to_owned());
    assert_eq!(g.send(()), Ok(37));
    assert_eq!(g.send(()), Err(StopIteration(4)));
}

#[derive(Debug, PartialEq)]
struct ParseError(String);

#[generator(yield = i64)]
fn parse_all<'a>(inputs: &'a [&'a str]) -> Result<usize, ParseError> {
    for input in inputs {
        let value: i64 = input.parse().map_err(|_| ParseError(input.to_string()))?;
        if value < 0 {
            return Ok(0);
        }
        yield_!(value);
    }
    Ok(inputs.len())
}

#[test]
fn question_mark_and_early_return() {
    let mut ok = parse_all(&["1", "2"]);
    assert_eq!(ok.by_ref().collect::<Vec<_>>(), [1, 2]);
    assert_eq!(ok.return_value(), Some(&Ok(2)));

    let mut bad = parse_all(&["7", "x", "9"]);
    assert_eq!(bad.send(()), Ok(7));
    assert_eq!(
        bad.send(()),
        Err(StopIteration(Err(ParseError("x".into()))))
    );

    let mut early = parse_all(&["-1", "5"]);
    assert_eq!(early.send(()), Err(StopIteration(Ok(0))));
}

#[generator(yield = (usize, char))]
fn control_flow(text: &str) -> &'static str {
    'outer: for (i, c) in text.chars().enumerate() {
        let mut n = 0;
        loop {
            n += 1;
            if n > 2 {
                continue 'outer;
            }
            match c {
                'x' => break 'outer,
                ' ' => continue 'outer,
                _ => {}
            }
            if let Some(digit) = c.to_digit(10) {
                let Some(_) = digit.checked_sub(5) else {
                    yield_!((i, '<'));
                    continue;
                };
                yield_!((i, '>'));
            } else {
                yield_!((i, c));
            }
            while n < 2 {
                n += 1;
            }
        }
    }
    "end"
}

#[test]
fn every_control_flow_form_works_across_yields() {
    let mut g = control_flow("a7 3x!");
    let got: Vec<_> = g.by_ref().collect();
    // '3' goes round the inner loop twice before `n > 2` sends it on.
    assert_eq!(got, [(0, 'a'), (1, '>'), (3, '<'), (3, '<')]);
    assert_eq!(g.return_value(), Some(&"end"));
}

#[generator(yield = u32)]
fn countdown(n: u32) {
    if n == 0 {
        return;
    }
    yield_!(n);
    // Recursion needs no ceremony: a generator may iterate a fresh call of itself.
    for m in countdown(n - 1) {
        yield_!(m);
    }
}

#[test]
fn recursion() {
    assert_eq!(countdown(4).collect::<Vec<_>>(), [4, 3, 2, 1]);
}

#[test]
fn closures_in_the_body_work_when_they_do_not_yield() {
    let g = gen_!({
        let double = |x: u32| x * 2;
        for x in [1, 2, 3].map(double) {
            yield_!(x);
        }
    });
    assert_eq!(g.collect::<Vec<_>>(), [2, 4, 6]);
}

/// `-> !` is the natural signature of an endless generator; its return type is `Infallible`.
#[generator(yield = u64, resume = u64)]
fn accumulate_forever() -> ! {
    let mut total = 0;
    loop {
        total += yield_!(total);
    }
}

#[test]
fn a_never_returning_generator_returns_infallible() {
    let mut g = accumulate_forever();
    assert_eq!(g.send(0), Ok(0));
    assert_eq!(g.send(5), Ok(5));
    assert_eq!(g.send(2), Ok(7));
    // `Complete` cannot happen, and the compiler knows it: the match needs no arm for it.
    let state: GeneratorState<u64, std::convert::Infallible> = g.resume(1);
    let GeneratorState::Yielded(value) = state;
    assert_eq!(value, 8);
}
