//! Fair queueing over incoming pipes: libzmq's `fq_t`, used by PULL, SUB
//! and REP.
//!
//! A receiving socket takes one message from each pipe in turn, so one
//! chatty sender cannot starve the others: three PUSH peers with three
//! messages each are read `p0-0, p1-0, p2-0, p0-1, …`. As in `fq.cpp`, a
//! pipe found empty leaves the active prefix of the array (swapped with the
//! last active one) and comes back at its end when a message arrives.

use super::ConnId;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FairQueue {
    pipes: Vec<ConnId>,
    active: usize,
    current: usize,
}

impl FairQueue {
    pub fn attach(&mut self, conn: ConnId) {
        self.pipes.push(conn);
        let last = self.pipes.len() - 1;
        self.pipes.swap(self.active, last);
        self.active += 1;
    }

    /// A message arrived in a pipe that had been found empty.
    pub fn activated(&mut self, conn: ConnId) {
        if let Some(index) = self.index(conn)
            && index >= self.active
        {
            self.pipes.swap(index, self.active);
            self.active += 1;
        }
    }

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

    /// libzmq `fq_t::recvpipe`: `read` is the pipe's `read`, returning
    /// `None` (and deactivating the pipe) when it is empty.
    pub fn recv<T>(&mut self, mut read: impl FnMut(ConnId) -> Option<T>) -> Option<(ConnId, T)> {
        while self.active > 0 {
            let conn = self.pipes[self.current];
            if let Some(item) = read(conn) {
                self.current = (self.current + 1) % self.active;
                return Some((conn, item));
            }
            self.active -= 1;
            self.pipes.swap(self.current, self.active);
            if self.current == self.active {
                self.current = 0;
            }
        }
        None
    }

    pub fn pipes(&self) -> &[ConnId] {
        &self.pipes
    }

    /// The pipes that may hold a message: one found empty leaves this
    /// prefix until a message arrives in it.
    pub fn active_pipes(&self) -> &[ConnId] {
        &self.pipes[..self.active]
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
    use std::collections::{BTreeMap, VecDeque};

    #[test]
    fn interleaves_senders() {
        let mut fq = FairQueue::default();
        let mut queues: BTreeMap<u32, VecDeque<String>> = BTreeMap::new();
        for p in 0..3 {
            fq.attach(ConnId(p));
            queues.insert(p, (0..3).map(|i| format!("p{p}-{i}")).collect());
        }
        let mut got = Vec::new();
        while let Some((_, m)) = fq.recv(|c| queues.get_mut(&c.0).and_then(|q| q.pop_front())) {
            got.push(m);
        }
        assert_eq!(
            got,
            [
                "p0-0", "p1-0", "p2-0", "p0-1", "p1-1", "p2-1", "p0-2", "p1-2", "p2-2"
            ]
        );
    }
}
