//! The seed's `MyList`/`MyIterator` (section 7.1): a container made iterable, first with a
//! hand-written iterator, then with a generator.
//!
//! Run: `cargo run --example my_list`

use corogen::prelude::*;

/// The seed's `MyList`: a container with `add`.
#[derive(Default)]
struct MyList {
    items: Vec<i32>,
}

impl MyList {
    fn add(&mut self, value: i32) {
        self.items.push(value);
    }

    /// The generator twin of `__iter__` returning `MyIterator`: the loop's position is the
    /// generator's own local, not a field to keep by hand.
    #[generator(yield = i32)]
    fn iter_gen(&self) {
        for item in &self.items {
            yield_!(*item);
        }
    }
}

/// The seed's `MyIterator`: remembers `current` by hand.
struct MyIterator<'a> {
    list: &'a MyList,
    current: usize,
}

impl Iterator for MyIterator<'_> {
    type Item = i32;

    fn next(&mut self) -> Option<i32> {
        let item = self.list.items.get(self.current).copied()?;
        self.current += 1;
        Some(item)
    }
}

/// `for num in mylist` calls `__iter__`: in Rust, `IntoIterator` for `&MyList`.
impl<'a> IntoIterator for &'a MyList {
    type Item = i32;
    type IntoIter = MyIterator<'a>;

    fn into_iter(self) -> MyIterator<'a> {
        MyIterator {
            list: self,
            current: 0,
        }
    }
}

fn main() {
    let mut mylist = MyList::default();
    for value in 1..=5 {
        mylist.add(value);
    }
    println!("hand-written iterator:");
    for num in &mylist {
        println!("{num}");
    }
    let mut my_iterator = mylist.into_iter();
    println!("next(myIterator) = {:?}", my_iterator.next());

    println!("generator:");
    for num in mylist.iter_gen() {
        println!("{num}");
    }
    assert!(mylist.iter_gen().eq(&mylist));
}
