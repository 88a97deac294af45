//! Round-robin over the pipes that have room: libzmq's `lb_t`, used by PUSH
//! and REQ.
//!
//! The order is not a simple rotation, and learners can see the difference
//! when a worker's pipe fills: libzmq keeps the pipes in one array whose
//! first `active` entries may be written; a pipe found full is swapped out
//! of that prefix, and a pipe that gets credit back is swapped in at its
//! end. This file copies those swaps exactly (`lb.cpp`), so the engine hands
//! out messages in the order real ZeroMQ does.

use super::ConnId;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadBalancer {
    pipes: Vec<ConnId>,
    active: usize,
    current: usize,
}

/// The outcome of choosing a pipe for one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pick {
    /// The chosen pipe, or none when every pipe is full or there is none.
    pub chosen: Option<ConnId>,
    /// Pipes found full while looking (now deactivated).
    pub newly_full: Vec<ConnId>,
}

impl LoadBalancer {
    /// A new connection: appended, then swapped into the active prefix.
    pub fn attach(&mut self, conn: ConnId) {
        self.pipes.push(conn);
        let last = self.pipes.len() - 1;
        self.pipes.swap(self.active, last);
        self.active += 1;
    }

    /// A full pipe got credit back (libzmq `lb_t::activated`).
    pub fn activated(&mut self, conn: ConnId) {
        if let Some(index) = self.index(conn)
            && index >= self.active
        {
            self.pipes.swap(index, self.active);
            self.active += 1;
        }
    }

    /// A connection closed (libzmq `lb_t::pipe_terminated`).
    pub fn terminated(&mut self, conn: ConnId) {
        let Some(index) = self.index(conn) else {
            return;
        };
        if index < self.active {
            self.active -= 1;
            self.pipes.swap(index, self.active);
            if self.current == self.active {
                self.current = 0;
            }
        }
        // array_t::erase removes the pipe itself (wherever the swap above
        // moved it); the last element takes its place.
        if let Some(at) = self.index(conn) {
            self.pipes.swap_remove(at);
        }
    }

    /// Picks the pipe for the next message (libzmq `lb_t::sendpipe`):
    /// `has_room` is the pipe's `check_write`.
    pub fn pick(&mut self, mut has_room: impl FnMut(ConnId) -> bool) -> Pick {
        let mut newly_full = Vec::new();
        while self.active > 0 {
            let conn = self.pipes[self.current];
            if has_room(conn) {
                self.current += 1;
                if self.current >= self.active {
                    self.current = 0;
                }
                return Pick {
                    chosen: Some(conn),
                    newly_full,
                };
            }
            newly_full.push(conn);
            self.active -= 1;
            if self.current < self.active {
                self.pipes.swap(self.current, self.active);
            } else {
                self.current = 0;
            }
        }
        Pick {
            chosen: None,
            newly_full,
        }
    }

    /// Every attached pipe, active ones first.
    pub fn pipes(&self) -> &[ConnId] {
        &self.pipes
    }

    /// Pipes currently skipped because they were found full.
    pub fn inactive(&self) -> &[ConnId] {
        &self.pipes[self.active..]
    }

    pub fn has_active(&self) -> bool {
        self.active > 0
    }

    pub fn is_empty(&self) -> bool {
        self.pipes.is_empty()
    }

    fn index(&self, conn: ConnId) -> Option<usize> {
        self.pipes.iter().position(|c| *c == conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_over_pipes_with_room() {
        let mut lb = LoadBalancer::default();
        for c in 0..3 {
            lb.attach(ConnId(c));
        }
        let order: Vec<u32> = (0..6)
            .map(|_| lb.pick(|_| true).chosen.unwrap().0)
            .collect();
        assert_eq!(order, [0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn skips_full_pipes_and_readmits_them_at_the_end() {
        let mut lb = LoadBalancer::default();
        for c in 0..3 {
            lb.attach(ConnId(c));
        }
        let p = lb.pick(|c| c != ConnId(0));
        assert_eq!(
            p.chosen,
            Some(ConnId(2)),
            "pipe 0 swapped with the last active"
        );
        assert_eq!(p.newly_full, vec![ConnId(0)]);
        assert_eq!(lb.inactive(), &[ConnId(0)]);
        lb.activated(ConnId(0));
        assert!(lb.inactive().is_empty());
        let none = lb.pick(|_| false);
        assert_eq!(none.chosen, None);
        assert_eq!(none.newly_full.len(), 3);
    }

    #[test]
    fn termination_keeps_the_cursor_valid() {
        let mut lb = LoadBalancer::default();
        for c in 0..3 {
            lb.attach(ConnId(c));
        }
        lb.pick(|_| true);
        lb.pick(|_| true);
        lb.terminated(ConnId(2));
        assert_eq!(lb.pick(|_| true).chosen, Some(ConnId(0)));
        lb.terminated(ConnId(0));
        lb.terminated(ConnId(1));
        assert!(lb.is_empty());
        assert_eq!(lb.pick(|_| true).chosen, None);
    }
}
