//! The process-wide code registry. Worker threads share the address space, so code
//! compiled on one thread is invoked on another; a handle is a small integer naming a
//! registry slot and the slot's generation, so a stale handle never reaches newer code.
//!
//! Handle = generation << 20 | slot index, with generations 1..=2047: every handle is a
//! positive int32. A slot whose generation is used up is retired for good instead of
//! wrapping, so a released handle can never become valid again.
//!
//! Memory is reclaimed by reference counting: the registry holds one `Arc` per live handle
//! and each invoking thread caches its own (see `invoker.rs`). `release` drops the
//! registry's reference and bumps the release epoch; caches drop released entries when they
//! notice the epoch moved (or their thread exits). Code is freed when the last reference
//! goes, so never while it runs: a running invocation holds its thread's cached reference.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::code::NativeCode;

const INDEX_BITS: u32 = 20;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
const MAX_SLOTS: usize = 1 << INDEX_BITS;
const MAX_GENERATION: u32 = (1 << (31 - INDEX_BITS)) - 1;

/// A registered function and whether its handle has been released.
pub struct Entry {
    pub code: NativeCode,
    released: AtomicBool,
}

impl Entry {
    pub fn is_released(&self) -> bool {
        self.released.load(Ordering::Acquire)
    }
}

struct Slot {
    /// Generation of the current (or last) occupant; 0 before the first.
    generation: u32,
    entry: Option<Arc<Entry>>,
}

struct Table {
    slots: Vec<Slot>,
    /// Free slot indices, oldest first, so reuse of any one slot is spread out.
    free: VecDeque<u32>,
    live: usize,
}

static TABLE: Mutex<Table> = Mutex::new(Table { slots: Vec::new(), free: VecDeque::new(), live: 0 });

/// Bumped on every release; thread caches compare it to know when to sweep.
static RELEASE_EPOCH: AtomicU64 = AtomicU64::new(0);

fn table() -> MutexGuard<'static, Table> {
    // A panic while holding the lock cannot leave the table inconsistent (every update is
    // a single assignment after all checks), so a poisoned lock is still usable.
    TABLE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn split(handle: u32) -> (usize, u32) {
    ((handle & INDEX_MASK) as usize, handle >> INDEX_BITS)
}

#[inline]
pub fn slot_index(handle: u32) -> usize {
    split(handle).0
}

#[inline]
pub fn release_epoch() -> u64 {
    RELEASE_EPOCH.load(Ordering::Acquire)
}

/// Registers compiled code and returns its handle.
pub fn register(code: NativeCode) -> Result<u32, String> {
    let mut table = table();
    let index = match table.free.pop_front() {
        Some(index) => index,
        None if table.slots.len() < MAX_SLOTS => {
            table.slots.push(Slot { generation: 0, entry: None });
            (table.slots.len() - 1) as u32
        }
        None => return Err(format!("the native code registry is full ({MAX_SLOTS} live handles)")),
    };
    let slot = &mut table.slots[index as usize];
    slot.generation += 1;
    slot.entry = Some(Arc::new(Entry { code, released: AtomicBool::new(false) }));
    let handle = slot.generation << INDEX_BITS | index;
    table.live += 1;
    Ok(handle)
}

/// The live entry a handle names, if any.
pub fn lookup(handle: u32) -> Option<Arc<Entry>> {
    let (index, generation) = split(handle);
    let table = table();
    let slot = table.slots.get(index)?;
    if slot.generation != generation {
        return None;
    }
    slot.entry.clone()
}

/// Releases a handle; false if it is unknown or already released. The code is freed once
/// no thread's cache still holds it (immediately when no other thread invoked it).
pub fn release(handle: u32) -> bool {
    let (index, generation) = split(handle);
    let entry = {
        let mut table = table();
        let Some(slot) = table.slots.get_mut(index) else { return false };
        if slot.generation != generation || slot.entry.is_none() {
            return false;
        }
        let entry = slot.entry.take();
        let retired = slot.generation == MAX_GENERATION;
        table.live -= 1;
        if !retired {
            table.free.push_back(index as u32);
        }
        entry
    };
    if let Some(entry) = &entry {
        entry.released.store(true, Ordering::Release);
    }
    RELEASE_EPOCH.fetch_add(1, Ordering::AcqRel);
    // Dropping `entry` here frees the code unless a thread cache still holds it.
    drop(entry);
    true
}

pub fn live_handles() -> usize {
    table().live
}
