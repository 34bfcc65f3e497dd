//! The limits Step Functions puts on the values of a definition, checked by validation and
//! reachable by an app's own configuration checks (one number, one place).

use std::collections::{HashMap, HashSet};

use super::model::*;

pub use super::intrinsics::MAX_ARRAY_RANGE_ITEMS;

/// The most seconds a Wait, a TimeoutSeconds, a HeartbeatSeconds, a retry interval or a
/// count of attempts may be.
pub const MAX_SECONDS: u64 = 99_999_999;
/// The longest a STANDARD execution runs: one year, in seconds.
pub const MAX_STANDARD_SECONDS: u64 = 31_536_000;
/// The longest an EXPRESS execution runs: five minutes, in seconds.
pub const MAX_EXPRESS_SECONDS: u64 = 300;
/// The most child executions a Distributed Map runs at once.
pub const MAX_DISTRIBUTED_CONCURRENCY: u64 = 10_000;
/// The longest `MaxDelaySeconds` of a retrier.
pub const MAX_RETRY_DELAY_SECONDS: u64 = 31_622_400;
/// The largest batch a Distributed Map's ItemBatcher may pass to a child, in bytes.
pub const MAX_BATCH_BYTES: u64 = 262_144;
/// The most items an ItemReader may read.
pub const MAX_READER_ITEMS: u64 = 100_000_000;

/// The largest `MaxConcurrency` of an inline Map: the field is a 32-bit integer (an inline
/// Map runs at most 40 iterations at once, whatever it says).
pub const MAX_INLINE_CONCURRENCY: u64 = 2_147_483_647;

/// The path from StartAt whose literal Wait seconds add up to the most (loops are walked once),
/// with its waits; `None` when there is no literal Wait.
pub(crate) fn longest_wait(d: &Definition) -> Option<(u64, Vec<String>)> {
    fn own(s: &State) -> u64 {
        match &s.kind {
            StateKind::Wait(Wait {
                wait: WaitFor::Seconds(n),
                ..
            }) => *n,
            // a branch or an iteration runs within the state
            StateKind::Parallel(p) => p
                .branches
                .iter()
                .filter_map(|b| longest_wait(b).map(|(t, _)| t))
                .max()
                .unwrap_or(0),
            StateKind::Map(m) => longest_wait(&m.processor).map_or(0, |(t, _)| t),
            _ => 0,
        }
    }
    fn go<'a>(
        d: &'a Definition,
        name: &'a str,
        on_path: &mut HashSet<&'a str>,
        memo: &mut HashMap<&'a str, (u64, Vec<String>)>,
    ) -> (u64, Vec<String>) {
        if let Some(m) = memo.get(name) {
            return m.clone();
        }
        let Some(state) = d.states.get(name) else {
            return (0, Vec::new());
        };
        if !on_path.insert(name) {
            return (0, Vec::new());
        }
        let mut best = (0, Vec::new());
        for t in state.targets() {
            let r = go(d, t, on_path, memo);
            if r.0 > best.0 {
                best = r;
            }
        }
        on_path.remove(name);
        let mine = own(state);
        if mine > 0 {
            best.0 += mine;
            best.1.insert(0, format!("{name} ({mine} s)"));
        }
        memo.insert(name, best.clone());
        best
    }
    let r = go(d, &d.start_at, &mut HashSet::new(), &mut HashMap::new());
    (r.0 > 0).then_some(r)
}
