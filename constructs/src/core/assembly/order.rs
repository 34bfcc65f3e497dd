//! The order stacks are deployed in: each after the stacks it depends on, the given order
//! kept otherwise. Synth and every reader of an assembly order stacks through it, so a cycle
//! is found wherever stacks are ordered.

use std::collections::HashMap;

/// The most cycles named: a manifest can hold as many as it has stacks, each as long.
pub const MAX_CYCLES: usize = 10;

/// Stacks in dependency order (`stacks` is name → dependencies, in the order to keep where
/// dependencies allow), and every dependency cycle found, each as the names that form it with
/// the first repeated at the end (`A -> B -> A`). A dependency that is not among `stacks` is
/// ignored here (the callers report it). At most [`MAX_CYCLES`] cycles are named.
pub fn dependency_order<'a>(
    stacks: &[(&'a str, &'a [String])],
) -> (Vec<&'a str>, Vec<Vec<String>>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        /// On the current path, at this index of the trail.
        Open(usize),
        Done,
    }
    struct Walk<'a, 'b> {
        deps: HashMap<&'a str, &'a [String]>,
        names: HashMap<&'b str, &'a str>,
        marks: HashMap<&'a str, Mark>,
        trail: Vec<&'a str>,
        order: Vec<&'a str>,
        cycles: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a, '_> {
        /// Starts `name` unless it is done or on the path (a cycle, recorded); true when
        /// started.
        fn enter(&mut self, name: &'a str) -> bool {
            match self.marks.get(name) {
                Some(Mark::Done) => false,
                Some(Mark::Open(start)) => {
                    if self.cycles.len() < MAX_CYCLES {
                        let mut cycle: Vec<String> =
                            self.trail[*start..].iter().map(|s| s.to_string()).collect();
                        cycle.push(name.to_string());
                        self.cycles.push(cycle);
                    }
                    false
                }
                None => {
                    self.marks.insert(name, Mark::Open(self.trail.len()));
                    self.trail.push(name);
                    true
                }
            }
        }

        /// A depth-first walk from `root`, with a stack of its own: an assembly's chain of
        /// stacks is as long as its manifest makes it, the thread's stack is not.
        fn visit(&mut self, root: &'a str) {
            if !self.enter(root) {
                return;
            }
            // each frame: a stack on the path, and the index of its next dependency
            let mut frames: Vec<(&'a str, usize)> = vec![(root, 0)];
            while let Some(frame) = frames.last_mut() {
                let name = frame.0;
                let deps = self.deps.get(name).copied().unwrap_or_default();
                if let Some(d) = deps.get(frame.1) {
                    frame.1 += 1;
                    if let Some(&known) = self.names.get(d.as_str()) {
                        if self.enter(known) {
                            frames.push((known, 0));
                        }
                    }
                } else {
                    frames.pop();
                    self.trail.pop();
                    self.marks.insert(name, Mark::Done);
                    self.order.push(name);
                }
            }
        }
    }
    let mut walk = Walk {
        deps: stacks.iter().copied().collect(),
        names: stacks.iter().map(|(n, _)| (*n, *n)).collect(),
        marks: HashMap::new(),
        trail: Vec::new(),
        order: Vec::new(),
        cycles: Vec::new(),
    };
    for (name, _) in stacks {
        walk.visit(name);
    }
    (walk.order, walk.cycles)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deps(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn dependencies_come_first_and_the_order_is_kept_otherwise() {
        let (a, b, c) = (deps(&["C"]), deps(&[]), deps(&[]));
        let (order, cycles) = dependency_order(&[("A", &a), ("B", &b), ("C", &c)]);
        assert_eq!(order, ["C", "A", "B"]);
        assert!(cycles.is_empty());
    }

    #[test]
    fn a_cycle_is_named_stack_by_stack() {
        let (a, b, c, d) = (deps(&["B"]), deps(&["C"]), deps(&["A"]), deps(&[]));
        let (_, cycles) = dependency_order(&[("A", &a), ("B", &b), ("C", &c), ("D", &d)]);
        assert_eq!(cycles, [deps(&["A", "B", "C", "A"])]);
        let own = deps(&["A"]);
        let (_, cycles) = dependency_order(&[("A", &own)]);
        assert_eq!(cycles, [deps(&["A", "A"])]);
    }
}
