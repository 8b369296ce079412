//! The orders a [`Queue`](super::Queue) gives its items back in: [`Fifo`] (gevent's `Queue`),
//! [`Lifo`] (`LifoQueue`), [`Priority`] (`PriorityQueue`, lowest first).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

mod sealed {
    pub trait Sealed {}
}

/// How a queue keeps its items: the second parameter of [`Queue`](super::Queue). Implemented
/// by [`Fifo`], [`Lifo`] and [`Priority`] only.
pub trait Order<T>: Default + sealed::Sealed {
    #[doc(hidden)]
    fn push(&mut self, item: T);
    #[doc(hidden)]
    fn pop(&mut self) -> Option<T>;
    #[doc(hidden)]
    fn peek(&self) -> Option<&T>;
    #[doc(hidden)]
    fn len(&self) -> usize;
    #[doc(hidden)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// First in, first out: the order of [`Queue`](super::Queue).
pub struct Fifo<T>(VecDeque<T>);

/// Last in, first out: the order of [`LifoQueue`](super::LifoQueue).
pub struct Lifo<T>(Vec<T>);

/// Lowest first (equal items in no set order): the order of
/// [`PriorityQueue`](super::PriorityQueue).
pub struct Priority<T>(BinaryHeap<Reverse<T>>);

impl<T> Default for Fifo<T> {
    fn default() -> Self {
        Fifo(VecDeque::new())
    }
}

impl<T> Default for Lifo<T> {
    fn default() -> Self {
        Lifo(Vec::new())
    }
}

impl<T: Ord> Default for Priority<T> {
    fn default() -> Self {
        Priority(BinaryHeap::new())
    }
}

impl<T> sealed::Sealed for Fifo<T> {}
impl<T> sealed::Sealed for Lifo<T> {}
impl<T> sealed::Sealed for Priority<T> {}

impl<T> Order<T> for Fifo<T> {
    #[inline]
    fn push(&mut self, item: T) {
        self.0.push_back(item);
    }

    #[inline]
    fn pop(&mut self) -> Option<T> {
        self.0.pop_front()
    }

    fn peek(&self) -> Option<&T> {
        self.0.front()
    }

    #[inline]
    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T> Order<T> for Lifo<T> {
    fn push(&mut self, item: T) {
        self.0.push(item);
    }

    fn pop(&mut self) -> Option<T> {
        self.0.pop()
    }

    fn peek(&self) -> Option<&T> {
        self.0.last()
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T: Ord> Order<T> for Priority<T> {
    fn push(&mut self, item: T) {
        self.0.push(Reverse(item));
    }

    fn pop(&mut self) -> Option<T> {
        self.0.pop().map(|Reverse(item)| item)
    }

    fn peek(&self) -> Option<&T> {
        self.0.peek().map(|Reverse(item)| item)
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}
