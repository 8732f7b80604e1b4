//! Whether translated code can get anywhere before it side-exits. With side exits on, an
//! instruction the translator cannot lower ends its path in a side exit; code whose every path
//! from the entry leaves that way, before it returns, halts, traps or takes a back edge, only
//! costs a frame transfer each time it is entered (an OSR entry whose loop body calls a
//! function that is not compiled natively, say) and is refused instead.

use std::collections::{BTreeMap, BTreeSet};

/// The exit-free control flow between leaders, as translation emitted it.
#[derive(Default)]
pub struct ExitFreeFlow {
    /// The leaders each leader's block jumps or falls through to (edges actually emitted).
    successors: BTreeMap<usize, Vec<usize>>,
    /// Leaders whose block finishes a run usefully: a return, a halt, a trap, or a back edge
    /// (a loop that iterates natively).
    finishing: BTreeSet<usize>,
}

impl ExitFreeFlow {
    pub fn edge(&mut self, from: usize, to: usize) {
        self.successors.entry(from).or_default().push(to);
    }

    pub fn finishes(&mut self, leader: usize) {
        self.finishing.insert(leader);
    }

    /// Whether some path from `start` reaches a finishing block.
    pub fn finishes_from(&self, start: usize) -> bool {
        let mut seen = BTreeSet::from([start]);
        let mut work = vec![start];
        while let Some(leader) = work.pop() {
            if self.finishing.contains(&leader) {
                return true;
            }
            for &next in self.successors.get(&leader).into_iter().flatten() {
                if seen.insert(next) {
                    work.push(next);
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_to_a_finishing_block_counts() {
        let mut flow = ExitFreeFlow::default();
        flow.edge(0, 5);
        flow.edge(5, 9);
        flow.finishes(9);
        assert!(flow.finishes_from(0));
    }

    #[test]
    fn blocks_that_only_exit_do_not() {
        let mut flow = ExitFreeFlow::default();
        // 0 branches to 5 and 9; both end in a side exit (no edges, not finishing); 3 is
        // finishing but not reachable.
        flow.edge(0, 5);
        flow.edge(0, 9);
        flow.finishes(3);
        assert!(!flow.finishes_from(0));
    }

    #[test]
    fn cycles_terminate() {
        let mut flow = ExitFreeFlow::default();
        flow.edge(0, 4);
        flow.edge(4, 0);
        assert!(!flow.finishes_from(0));
    }
}
