//! [`Value`], what a switch hands from one task to another: the task table keeps one in the
//! slot of the task it is switched into.

use std::any::Any;
use std::fmt;

/// A value passed by [`switch`](crate::hub::switch): anything, or nothing (greenlet's `switch()`
/// passes Python's `None`). Empty values cost no allocation.
#[derive(Default)]
pub struct Value(Option<Box<dyn Any>>);

impl Value {
    /// No value.
    pub fn none() -> Value {
        Value(None)
    }

    /// Wraps `value`.
    pub fn new<T: 'static>(value: T) -> Value {
        Value(Some(Box::new(value)))
    }

    /// Whether there is no value.
    pub fn is_none(&self) -> bool {
        self.0.is_none()
    }

    /// The value, if it is a `T`.
    pub fn take<T: 'static>(self) -> Option<T> {
        self.0?.downcast().ok().map(|value| *value)
    }

    /// A reference to the value, if it is a `T`.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        self.0.as_ref()?.downcast_ref()
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_none() {
            "Value(None)"
        } else {
            "Value(..)"
        })
    }
}

/// Values compare equal only when both are empty: a boxed `dyn Any` has no equality.
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.is_none() && other.is_none()
    }
}
