//! The solver's safety net, counted in CPU time rather than wall-clock time.
//!
//! The work budget ends the search; the safety net only guards against a budget
//! that a slow machine cannot spend in reasonable time. Counted on the wall clock,
//! the net would fire whenever other jobs share the machine (a CI runner with the
//! test suite beside it), and the plan would then depend on the load: `plan
//! --compare` would report moves that no input change caused. So the net counts
//! the CPU time of the solver's critical path instead: the time the thread that
//! checks has run since the solver started, plus, for a thread spawned during the
//! solve (the second walk), the time of the path that spawned it. A busy machine
//! slows that time down no more than the solver's own work does. On a quiet
//! machine it is never more than the wall-clock time, so the net fires no later
//! than before. Should the machine be so busy that the wall clock passes
//! [`WALL_FACTOR`] times the limit, the search ends anyway.

use std::time::{Duration, Instant};

/// The wall clock ends the search at this multiple of the limit, whatever the CPU
/// time: a plan must come back even on a machine that gives the solver almost
/// nothing.
pub const WALL_FACTOR: u32 = 3;

/// When the safety net fires. Copied into every part of the solver; a part that
/// runs on another thread takes [`Deadline::on_this_thread`].
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    start: Instant,
    limit: Duration,
    wall_cap: Duration,
    /// CPU time of the path before this thread (zero on the solving thread).
    carried: Duration,
    /// This thread's CPU time when it took the deadline.
    base: Duration,
}

impl Deadline {
    /// A deadline `limit` of CPU time from now, on the calling thread.
    #[must_use]
    pub fn after(limit: Duration) -> Self {
        Self::capped(limit, limit.saturating_mul(WALL_FACTOR))
    }

    /// A deadline `limit` of CPU time from now, and `wall_cap` of wall-clock time.
    fn capped(limit: Duration, wall_cap: Duration) -> Self {
        Self {
            start: Instant::now(),
            limit,
            wall_cap,
            carried: Duration::ZERO,
            base: thread_cpu(),
        }
    }

    /// The same deadline with `share` of its limit (and of its wall-clock cap).
    #[must_use]
    pub fn share(self, share: f64) -> Self {
        Self {
            limit: self.limit.mul_f64(share),
            wall_cap: self.wall_cap.mul_f64(share),
            ..self
        }
    }

    /// The CPU time of the critical path so far: this thread's since it took the
    /// deadline, plus what the path had spent before.
    #[must_use]
    pub fn spent(&self) -> Duration {
        self.carried + thread_cpu().saturating_sub(self.base)
    }

    /// The deadline for another thread, taken on that thread: its path carries
    /// `spent`, read on the spawning thread just before the spawn.
    #[must_use]
    pub fn on_this_thread(self, spent: Duration) -> Self {
        Self {
            carried: spent,
            base: thread_cpu(),
            ..self
        }
    }

    /// Whether the safety net has fired.
    #[must_use]
    pub fn passed(&self) -> bool {
        let wall = self.start.elapsed();
        if wall <= self.limit {
            // The path's CPU time never exceeds the wall-clock time: no need to
            // ask the kernel.
            return false;
        }
        wall > self.wall_cap || self.spent() > self.limit
    }

    /// A deadline that never fires in practice (for tests and tools).
    #[must_use]
    pub fn far() -> Self {
        Self::after(Duration::from_secs(24 * 3600))
    }
}

/// The calling thread's CPU time.
#[cfg(unix)]
fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// Without a thread CPU clock, the wall clock (the net then fires under load).
#[cfg(not(unix))]
fn thread_cpu() -> Duration {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spin(d: Duration) {
        let t = thread_cpu();
        while thread_cpu().saturating_sub(t) < d {
            std::hint::black_box(0u64);
        }
    }

    #[test]
    #[cfg(unix)]
    fn waiting_does_not_spend_the_limit_but_working_does() {
        // No wall-clock cap here: a loaded test machine may oversleep.
        let d = Deadline::capped(Duration::from_millis(40), Duration::from_secs(3600));
        // A thread that gets no CPU (a busy machine) does not reach the limit...
        std::thread::sleep(Duration::from_millis(80));
        assert!(!d.passed(), "spent {:?}", d.spent());
        // ...one that works does.
        spin(Duration::from_millis(60));
        assert!(d.passed(), "spent {:?}", d.spent());
    }

    #[test]
    #[cfg(unix)]
    fn a_spawned_thread_carries_the_path_before_it() {
        let d = Deadline::capped(Duration::from_millis(60), Duration::from_secs(3600));
        spin(Duration::from_millis(40));
        let spent = d.spent();
        std::thread::scope(|s| {
            s.spawn(|| {
                let here = d.on_this_thread(spent);
                assert!(!here.passed());
                spin(Duration::from_millis(40));
                assert!(here.passed(), "spent {:?}", here.spent());
            });
        });
    }

    #[test]
    fn the_wall_clock_ends_the_search_at_its_cap() {
        let d = Deadline::after(Duration::from_millis(10));
        std::thread::sleep(Duration::from_millis(10 * u64::from(WALL_FACTOR) + 20));
        assert!(d.passed());
        assert!(!d.share(100.0).passed());
    }
}
