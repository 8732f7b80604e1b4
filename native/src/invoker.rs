//! The invoke fast path. Each thread keeps its invoke area (shared with JavaScript) and a
//! cache from handle to code, so a call costs a thread-local lookup and no lock and no
//! atomic read-modify-write; only the first call of a handle on a thread takes the
//! registry lock.

use std::cell::RefCell;
use std::sync::Arc;

use crate::invoke_area::{InvokeArea, HANDLE_SLOT};
use crate::outcome::Status;
use crate::registry::{self, Entry};

#[derive(Debug, PartialEq)]
pub enum InvokeError {
    NoInvokeArea,
    /// The handle slot does not hold an integer in the u32 range.
    InvalidHandle(f64),
    UnknownHandle(u32),
    /// The machine code returned a status word the translator never emits.
    CorruptStatus(u64),
}

impl std::fmt::Display for InvokeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoInvokeArea => write!(f, "no invoke buffer was created on this thread"),
            Self::InvalidHandle(value) => write!(f, "{value} is not a native code handle"),
            Self::UnknownHandle(handle) => write!(f, "unknown or released native code handle {handle}"),
            Self::CorruptStatus(word) => write!(f, "native code returned an invalid status word {word:#x}"),
        }
    }
}

struct ThreadState {
    area: Option<Arc<InvokeArea>>,
    /// The registry's release epoch when `cache` was last swept.
    seen_epoch: u64,
    /// Indexed by registry slot: the handle cached there and its entry.
    cache: Vec<Option<(u32, Arc<Entry>)>>,
}

thread_local! {
    static STATE: RefCell<ThreadState> =
        const { RefCell::new(ThreadState { area: None, seen_epoch: 0, cache: Vec::new() }) };
}

/// Makes `area` this thread's invoke area (replacing any earlier one).
pub fn install_area(area: Arc<InvokeArea>) {
    STATE.with(|state| state.borrow_mut().area = Some(area));
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
/// arguments there; the status, value and trap/halt details are written back to the area.
pub fn invoke_requested() -> Result<(), InvokeError> {
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        let area = state.area.as_deref().ok_or(InvokeError::NoInvokeArea)?;
        let handle = area.requested_handle().ok_or_else(|| InvokeError::InvalidHandle(area.get(HANDLE_SLOT)))?;
        state.invoke(handle).map(|_| ())
    })
}

/// Calls the function behind `handle` on the arguments in this thread's area and returns
/// the numeric status (everything is also written to the area).
pub fn invoke(handle: u32) -> Result<u32, InvokeError> {
    STATE.with(|state| state.borrow_mut().invoke(handle))
}

fn cached_entry(cache: &mut Vec<Option<(u32, Arc<Entry>)>>, handle: u32) -> Result<&Arc<Entry>, InvokeError> {
    let index = registry::slot_index(handle);
    let hit = matches!(cache.get(index), Some(Some((cached, entry))) if *cached == handle && !entry.is_released());
    if !hit {
        let entry = registry::lookup(handle).ok_or(InvokeError::UnknownHandle(handle))?;
        if cache.len() <= index {
            cache.resize_with(index + 1, || None);
        }
        cache[index] = Some((handle, entry));
    }
    match &cache[index] {
        Some((_, entry)) => Ok(entry),
        None => Err(InvokeError::UnknownHandle(handle)),
    }
}

impl ThreadState {
    fn invoke(&mut self, handle: u32) -> Result<u32, InvokeError> {
        let epoch = registry::release_epoch();
        if epoch != self.seen_epoch {
            self.sweep();
            self.seen_epoch = epoch;
        }
        let area = self.area.as_deref().ok_or(InvokeError::NoInvokeArea)?;
        let entry = cached_entry(&mut self.cache, handle)?;
        let word = entry.code.call(area);
        let status = Status::decode(word).ok_or(InvokeError::CorruptStatus(word))?;
        area.record(status);
        Ok(status.code())
    }

    fn sweep(&mut self) {
        for cached in &mut self.cache {
            if cached.as_ref().is_some_and(|(_, entry)| entry.is_released()) {
                *cached = None;
            }
        }
    }
}
