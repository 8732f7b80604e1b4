//! Interrupting native code from outside: a running native loop blocks its JavaScript
//! thread, so only another thread can stop it, by setting the interrupt word of that
//! thread's invoke area (compiled code polls it at function entry and on back edges).
//!
//! - `arm`/`disarm`: a deadline for a run (the per-run time budget). One process-wide
//!   watchdog thread sleeps until the earliest armed deadline and sets the flag then.
//! - `register_area`/`interrupt_area`: a process-wide id per invoke area, so that any
//!   thread (e.g. the host of a runtime running in a worker) can interrupt another.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use crate::invoke_area::{InvokeArea, INTERRUPT};

struct Alarm {
    token: u64,
    deadline: Instant,
    area: Weak<InvokeArea>,
}

#[derive(Default)]
struct Watchdog {
    alarms: Mutex<Vec<Alarm>>,
    wake: Condvar,
}

static WATCHDOG: OnceLock<Arc<Watchdog>> = OnceLock::new();
static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

fn watchdog() -> &'static Arc<Watchdog> {
    WATCHDOG.get_or_init(|| {
        let dog = Arc::new(Watchdog::default());
        let running = Arc::clone(&dog);
        std::thread::Builder::new()
            .name("atlas-jit-watchdog".to_owned())
            .spawn(move || running.run())
            .expect("spawning the watchdog thread");
        dog
    })
}

impl Watchdog {
    fn run(&self) {
        let mut alarms = self.alarms.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        loop {
            let now = Instant::now();
            alarms.retain(|alarm| {
                if alarm.deadline > now {
                    return alarm.area.strong_count() > 0;
                }
                if let Some(area) = alarm.area.upgrade() {
                    area.set_control(INTERRUPT, 1);
                }
                false
            });
            let next = alarms.iter().map(|alarm| alarm.deadline).min();
            alarms = match next {
                Some(deadline) => {
                    let wait = deadline.saturating_duration_since(Instant::now());
                    self.wake.wait_timeout(alarms, wait).unwrap_or_else(|poisoned| poisoned.into_inner()).0
                }
                None => self.wake.wait(alarms).unwrap_or_else(|poisoned| poisoned.into_inner()),
            };
        }
    }
}

/// Sets `area`'s interrupt flag after `delay`, unless disarmed first. Returns the token.
pub fn arm(area: &Arc<InvokeArea>, delay: Duration) -> u64 {
    let dog = watchdog();
    let token = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
    let alarm = Alarm { token, deadline: Instant::now() + delay, area: Arc::downgrade(area) };
    dog.alarms.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(alarm);
    dog.wake.notify_one();
    token
}

/// Cancels an armed deadline; false if it already fired or never existed.
pub fn disarm(token: u64) -> bool {
    let Some(dog) = WATCHDOG.get() else { return false };
    let mut alarms = dog.alarms.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let before = alarms.len();
    alarms.retain(|alarm| alarm.token != token);
    alarms.len() != before
}

static AREAS: Mutex<Option<HashMap<u32, Weak<InvokeArea>>>> = Mutex::new(None);
static NEXT_AREA_ID: AtomicU32 = AtomicU32::new(1);

/// Gives `area` a process-wide id for `interrupt_area`.
pub fn register_area(area: &Arc<InvokeArea>) -> u32 {
    let id = NEXT_AREA_ID.fetch_add(1, Ordering::Relaxed);
    let mut areas = AREAS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let map = areas.get_or_insert_with(HashMap::new);
    map.retain(|_, area| area.strong_count() > 0);
    map.insert(id, Arc::downgrade(area));
    id
}

/// Sets the interrupt flag of the area registered as `id`; false if it is gone.
pub fn interrupt_area(id: u32) -> bool {
    let areas = AREAS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    match areas.as_ref().and_then(|map| map.get(&id)).and_then(Weak::upgrade) {
        Some(area) => {
            area.set_control(INTERRUPT, 1);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_armed_deadline_sets_the_flag_and_a_disarmed_one_does_not() {
        let area = InvokeArea::new();
        let token = arm(&area, Duration::from_millis(5));
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(area.control(INTERRUPT), 1);
        assert!(!disarm(token));
        let other = InvokeArea::new();
        let token = arm(&other, Duration::from_millis(200));
        assert!(disarm(token));
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(other.control(INTERRUPT), 0);
    }

    #[test]
    fn areas_are_interrupted_by_id() {
        let area = InvokeArea::new();
        let id = register_area(&area);
        assert!(interrupt_area(id));
        assert_eq!(area.control(INTERRUPT), 1);
        drop(area);
        assert!(!interrupt_area(id));
    }
}
