//! Scheduling priority of the calling thread, for compile workers: a compile must never
//! delay the thread serving requests. On a small machine both run on the same cores, and a
//! compile thread of normal priority made the main thread wait for a CPU for tens of ms
//! during a burst of compiles (measured with schedstat); at idle priority it waits about as
//! long as with no compiles at all, and the compiles finish as fast when a core is free.
//!
//! Only Linux has SCHED_IDLE; elsewhere both lowered priorities take the lowest priority of
//! the crate's portable API (macOS: the lowest pthread priority of the thread's policy;
//! Windows: THREAD_PRIORITY_LOWEST), which is what `low` means there too.

use thread_priority::ThreadPriority;

use crate::named::named_enum;

named_enum! {
    /// How much CPU a compile thread competes for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum CompilePriority {
        /// Linux SCHED_IDLE: runs when the cores have nothing else to do (a small share
        /// otherwise). Elsewhere the same as `Low`.
        Idle = "idle",
        /// Normal scheduling at the lowest priority (Linux: nice 19).
        Low = "low",
        /// Unchanged.
        Normal = "normal",
    }
}

impl CompilePriority {
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|priority| priority.name() == name)
    }
}

/// Applies `priority` to the calling thread. Lowering needs no privilege; raising it back
/// would, so a thread is only ever lowered. Errors carry the OS reason.
pub fn lower_this_thread(priority: CompilePriority) -> Result<(), String> {
    if priority == CompilePriority::Normal {
        return Ok(());
    }
    lower(priority).map_err(|error| format!("cannot lower the compile thread's priority: {error:?}"))
}

#[cfg(target_os = "linux")]
fn lower(priority: CompilePriority) -> Result<(), thread_priority::Error> {
    use thread_priority::unix::{
        set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy, ThreadSchedulePolicy,
    };
    let policy = match priority {
        CompilePriority::Idle => NormalThreadSchedulePolicy::Idle,
        CompilePriority::Low | CompilePriority::Normal => NormalThreadSchedulePolicy::Other,
    };
    set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, ThreadSchedulePolicy::Normal(policy))
}

#[cfg(not(target_os = "linux"))]
fn lower(_priority: CompilePriority) -> Result<(), thread_priority::Error> {
    thread_priority::set_current_thread_priority(ThreadPriority::Min)
}
