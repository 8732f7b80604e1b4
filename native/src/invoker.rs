//! The invoke fast path. Each thread keeps its invoke area (shared with JavaScript) and a
//! cache from handle to code, so a call costs a thread-local lookup, no lock and no atomic
//! read-modify-write; only the first call of a handle on a thread takes the registry lock.
//!
//! A cache entry keeps its code alive (an `Arc`), so code never disappears under a call.
//! Releases are noticed through the registry's release epoch: when it has moved, the cache
//! drops released entries before the lookup. A release racing with a call on another thread
//! lets that one call still run (it is ordered before the release); a release on this
//! thread is seen by the very next call.

use std::cell::RefCell;
use std::sync::Arc;

use crate::invoke_area::{InvokeArea, HANDLE, STACK_BUDGET};
use crate::translate::STACK_BUDGET as MAX_STACK_BUDGET;

/// Stack left untouched below a native call's budget: room for what runs after the call
/// returns and for the invoke machinery itself.
const STACK_MARGIN: usize = 64 * 1024;

/// The machine stack a call made now may use: the budget, or less when the calling thread
/// has less left (a worker with a small `stackSizeMb`, a call from deep JavaScript
/// recursion). Zero makes the code bail out at once, and the interpreter runs the call.
/// `limit` is the thread's lowest usable stack address (`stack_limit`).
fn stack_budget(limit: Option<usize>) -> u32 {
    let Some(limit) = limit else { return MAX_STACK_BUDGET };
    let left = here().saturating_sub(limit).saturating_sub(STACK_MARGIN);
    left.min(MAX_STACK_BUDGET as usize) as u32
}

/// The address of a local of the caller's frame: where the stack is now, near enough (the
/// margin covers the difference).
#[inline(always)]
fn here() -> usize {
    let marker = 0u8;
    std::ptr::addr_of!(marker) as usize
}

/// This thread's lowest usable stack address, found once per thread (asking the system is
/// far dearer than an invoke); None where the system does not say.
fn stack_limit() -> Option<usize> {
    stacker::remaining_stack().map(|left| here().saturating_sub(left))
}
use crate::registry::{self, Entry};

#[derive(Debug, PartialEq, Eq)]
pub enum InvokeError {
    NoInvokeArea,
    UnknownHandle(u32),
}

impl std::fmt::Display for InvokeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoInvokeArea => write!(f, "no invoke buffer was created on this thread"),
            Self::UnknownHandle(handle) => write!(f, "unknown or released native code handle {handle}"),
        }
    }
}

struct Cached {
    handle: u32,
    entry: Arc<Entry>,
}

struct ThreadState {
    area: Option<Arc<InvokeArea>>,
    /// `stack_limit()`, once known (the outer Option: not asked yet).
    stack_limit: Option<Option<usize>>,
    /// The registry's release epoch when `cache` was last swept.
    seen_epoch: u64,
    /// Indexed by registry slot.
    cache: Vec<Option<Cached>>,
}

thread_local! {
    static STATE: RefCell<ThreadState> =
        const { RefCell::new(ThreadState { area: None, stack_limit: None, seen_epoch: 0, cache: Vec::new() }) };
}

/// Makes `area` this thread's invoke area (replacing any earlier one).
pub fn install_area(area: Arc<InvokeArea>) {
    STATE.with(|state| state.borrow_mut().area = Some(area));
}

/// This thread's invoke area, if it has one.
pub fn area() -> Option<Arc<InvokeArea>> {
    STATE.with(|state| state.borrow().area.clone())
}

/// Runs `f` on this thread's invoke area, if it has one.
pub fn with_area<R>(f: impl FnOnce(&InvokeArea) -> R) -> Option<R> {
    STATE.with(|state| state.borrow().area.as_deref().map(f))
}

/// Drops this thread's cached references to released code, so releasing on the invoking
/// thread frees the code at once.
pub fn sweep_this_thread() {
    let _ = STATE.try_with(|state| {
        if let Ok(mut state) = state.try_borrow_mut() {
            state.sweep();
        }
    });
}

/// Calls the function whose handle JavaScript wrote to this thread's area, on the
/// arguments there; the generated code writes value, status and details to the area.
#[inline]
pub fn invoke_requested() -> Result<u32, InvokeError> {
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        let handle = state.area.as_deref().ok_or(InvokeError::NoInvokeArea)?.control(HANDLE);
        state.invoke(handle)
    })
}

/// Calls the function behind `handle` on the arguments in this thread's area; returns the
/// status (0 number, 1 bool, 2 null, 3 trap, 4 halted).
pub fn invoke(handle: u32) -> Result<u32, InvokeError> {
    STATE.with(|state| state.borrow_mut().invoke(handle))
}

impl ThreadState {
    #[inline]
    fn invoke(&mut self, handle: u32) -> Result<u32, InvokeError> {
        let epoch = registry::release_epoch();
        if epoch != self.seen_epoch {
            self.sweep();
            self.seen_epoch = epoch;
        }
        let area = self.area.as_deref().ok_or(InvokeError::NoInvokeArea)?;
        let entry = cached_entry(&mut self.cache, handle)?;
        let limit = *self.stack_limit.get_or_insert_with(stack_limit);
        area.set_control(STACK_BUDGET, stack_budget(limit));
        Ok(entry.code.call(area))
    }

    fn sweep(&mut self) {
        for cached in &mut self.cache {
            if cached.as_ref().is_some_and(|c| c.entry.is_released()) {
                *cached = None;
            }
        }
    }
}

/// The entry for `handle`: from the cache (swept of released entries), else from the registry.
#[inline]
fn cached_entry(cache: &mut Vec<Option<Cached>>, handle: u32) -> Result<&Arc<Entry>, InvokeError> {
    let index = registry::slot_index(handle);
    let hit = matches!(cache.get(index), Some(Some(cached)) if cached.handle == handle);
    if !hit {
        let entry = registry::lookup(handle).ok_or(InvokeError::UnknownHandle(handle))?;
        if cache.len() <= index {
            cache.resize_with(index + 1, || None);
        }
        cache[index] = Some(Cached { handle, entry });
    }
    match &cache[index] {
        Some(cached) => Ok(&cached.entry),
        None => Err(InvokeError::UnknownHandle(handle)),
    }
}
