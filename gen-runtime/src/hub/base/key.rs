//! The name of a task, the one thing every layer of the hub knows about tasks.

/// Names one task of one hub: the index of its slot and the generation of that slot, so that a
/// key outliving its task never reaches the next task stored in the same slot.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) struct TaskKey {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

impl TaskKey {
    /// A number unique among the tasks of one hub (until 2^32 tasks reused one slot).
    pub(crate) fn id(self) -> u64 {
        (u64::from(self.generation) << 32) | u64::from(self.index)
    }
}
