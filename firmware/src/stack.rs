//! Stack high-water marks measured on the target: the stack below the caller is painted
//! with a pattern before a call, and the deepest word the call changed gives its peak use
//! (every frame the call made, the callee's locals and anything it called).

use core::ptr::{read_volatile, write_volatile};

use cortex_m_semihosting::hprintln;

/// Bytes painted below the caller: more than any call may use; a call that reaches the
/// bottom is reported as "at least" this.
const PAINTED: usize = 128 * 1024;
/// Left unpainted just below the stack pointer (the measuring function's own frame).
const MARGIN: usize = 64;
const PATTERN: u32 = 0xC0DE_F00D;
/// The stack goal per call (issue 16).
pub(crate) const GOAL: usize = 2048;

/// Makes the call below the painted boundary: a call inlined into `measure` itself would
/// keep its locals in `measure`'s frame, allocated before the painting, and go uncounted.
#[inline(never)]
fn run<R>(call: impl FnOnce() -> R) -> R {
    call()
}

/// The peak stack use of each call measured, by name (the largest of repeated calls).
pub(crate) struct Stack {
    calls: heapless::Vec<(&'static str, usize), 32>,
}

impl Stack {
    pub(crate) const fn new() -> Self {
        Self {
            calls: heapless::Vec::new(),
        }
    }

    /// Runs `call` and records the bytes of stack it used below this frame.
    #[inline(never)]
    pub(crate) fn measure<R>(&mut self, name: &'static str, call: impl FnOnce() -> R) -> R {
        let sp = cortex_m::register::msp::read() as usize;
        let top = (sp - MARGIN) & !3;
        let bottom = top - PAINTED;
        let mut word = bottom;
        while word < top {
            // SAFETY: below the stack pointer, unused by anyone (no interrupts run); the
            // RAM is 4 MiB and the statics sit at its start, far below.
            unsafe { write_volatile(word as *mut u32, PATTERN) };
            word += 4;
        }
        let result = run(call);
        let mut deepest = top;
        let mut word = bottom;
        while word < top {
            // SAFETY: as above; reading the painted words back.
            if unsafe { read_volatile(word as *const u32) } != PATTERN {
                deepest = word;
                break;
            }
            word += 4;
        }
        let used = sp - deepest;
        match self.calls.iter_mut().find(|(seen, _)| *seen == name) {
            Some((_, peak)) => *peak = (*peak).max(used),
            None => {
                let _ = self.calls.push((name, used));
            }
        }
        result
    }

    /// The size regression check: every call within `GOAL` bytes (issue 16's 2 KiB),
    /// except those in `ceilings`, which have not reached the goal yet and may not grow
    /// past today's figure. Returns the first call over its limit, with the numbers.
    pub(crate) fn over_budget(
        &self,
        ceilings: &[(&str, usize)],
    ) -> Option<(&'static str, usize, usize)> {
        self.calls.iter().find_map(|&(name, used)| {
            let limit = ceilings
                .iter()
                .find(|(call, _)| *call == name)
                .map_or(GOAL, |&(_, ceiling)| ceiling);
            (used > limit).then_some((name, used, limit))
        })
    }

    /// Prints the table (Markdown, for the README's footprint section).
    pub(crate) fn print(&self) {
        hprintln!("| call | peak stack (bytes) |");
        hprintln!("| --- | ---: |");
        for (name, used) in &self.calls {
            if *used >= PAINTED {
                hprintln!("| `{}` | ≥ {} |", name, used);
            } else {
                hprintln!("| `{}` | {} |", name, used);
            }
        }
    }
}
