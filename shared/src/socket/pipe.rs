//! One direction of one connection, with libzmq's credit-based high-water
//! marks.
//!
//! libzmq moves a message through two pipes per direction over TCP: the
//! sender's socket→session pipe (limit SNDHWM) and the receiver's
//! session→socket pipe (limit RCVHWM), with the TCP stream between them.
//! A pipe is *not* "full when it holds HWM messages": the writer counts what
//! it wrote and what the reader has *told* it was read, and the reader only
//! tells every `lwm = (hwm + 1) / 2` reads (`pipe_t::compute_lwm`). That is
//! why, with both marks at 5 and a PULL that never reads, a PUSH takes 5
//! messages at once and then exactly 3 more once its I/O thread has drained
//! the first 5 (measured with pyzmq 27.3 / libzmq 4.3.5, see
//! `shared/tests/zmq/observe.py`). [`Flow`] reproduces that accounting.
//!
//! The wire between the stages carries messages for `latency` ticks. The
//! engine has no kernel socket buffer: a message leaves the sender's stage
//! only when the receiver's stage has credit for it. With a reader that
//! never reads, libzmq over TCP keeps accepting `lwm`-sized batches into
//! kernel buffers; the engine stops at SNDHWM + credit (8 for marks of 5),
//! the figure `docs/design/zmq-semantics.md` reports.

use std::collections::VecDeque;

use super::message::Msg;
use crate::time::Tick;

/// The flow-control counters of one libzmq `pipe_t` pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The high-water mark; 0 means unlimited (as in libzmq).
    hwm: u32,
    /// How many reads the reader batches before returning credit.
    lwm: u32,
    written: u64,
    read: u64,
    /// Reads the writer has been told about (libzmq `_peers_msgs_read`).
    peers_read: u64,
}

impl Flow {
    pub fn new(hwm: u32) -> Flow {
        Flow {
            hwm,
            lwm: Self::compute_lwm(hwm),
            written: 0,
            read: 0,
            peers_read: 0,
        }
    }

    /// libzmq's low-water mark: half the high-water mark, rounded up.
    pub fn compute_lwm(hwm: u32) -> u32 {
        hwm.div_ceil(2)
    }

    pub fn hwm(&self) -> u32 {
        self.hwm
    }

    /// Changes the marks in place, as `zmq_setsockopt(SNDHWM/RCVHWM)` does
    /// for existing pipes since libzmq 4.2.
    pub fn set_hwm(&mut self, hwm: u32) {
        self.hwm = hwm;
        self.lwm = Self::compute_lwm(hwm);
    }

    pub fn has_room(&self) -> bool {
        self.hwm == 0 || self.written - self.peers_read < u64::from(self.hwm)
    }

    pub fn on_write(&mut self) {
        self.written += 1;
    }

    /// Counts one read; `true` when this read returned credit to the writer.
    pub fn on_read(&mut self) -> bool {
        self.read += 1;
        if self.lwm > 0 && self.read.is_multiple_of(u64::from(self.lwm)) {
            self.peers_read = self.read;
            true
        } else {
            false
        }
    }

    /// Messages written and not yet credited back to the writer.
    pub fn outstanding(&self) -> u64 {
        self.written - self.peers_read
    }
}

/// The result of moving messages onto the wire.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Departure {
    pub count: u32,
    pub first: Option<crate::socket::MsgId>,
    pub last: Option<crate::socket::MsgId>,
    pub arrives: Tick,
    /// The sender's stage got credit back and had been marked full: the
    /// sending socket must re-activate this pipe (libzmq `write_activated`).
    pub writer_reactivated: bool,
}

/// One direction of a connection: sender stage, wire, receiver stage.
#[derive(Clone, Debug)]
pub struct Pipe {
    out: VecDeque<Msg>,
    out_flow: Flow,
    /// libzmq `_out_active`: false once a write found the pipe full, until
    /// credit comes back. Load balancers skip inactive pipes.
    out_active: bool,
    wire: VecDeque<(Tick, Msg)>,
    inq: VecDeque<Msg>,
    in_flow: Flow,
    /// libzmq `_in_active`: false once a read found the pipe empty, until a
    /// message arrives. Fair queues skip inactive pipes.
    in_active: bool,
    pub latency: Tick,
    last_arrival: Tick,
    /// A departure task is already scheduled for this pipe.
    pub flush_scheduled: bool,
}

impl Pipe {
    pub fn new(sndhwm: u32, rcvhwm: u32, latency: Tick) -> Pipe {
        Pipe {
            out: VecDeque::new(),
            out_flow: Flow::new(sndhwm),
            out_active: true,
            wire: VecDeque::new(),
            inq: VecDeque::new(),
            in_flow: Flow::new(rcvhwm),
            in_active: true,
            latency,
            last_arrival: Tick::ZERO,
            flush_scheduled: false,
        }
    }

    /// libzmq `pipe_t::check_write`: may the sending socket write now?
    /// Marks the pipe inactive when it is found full.
    pub fn check_write(&mut self) -> bool {
        if !self.out_active {
            return false;
        }
        if !self.out_flow.has_room() {
            self.out_active = false;
            return false;
        }
        true
    }

    pub fn is_out_active(&self) -> bool {
        self.out_active
    }

    pub fn write(&mut self, msg: Msg) {
        self.out_flow.on_write();
        self.out.push_back(msg);
    }

    /// True if at least one queued message may leave now.
    pub fn can_depart(&self) -> bool {
        !self.out.is_empty() && self.in_flow.has_room()
    }

    /// Moves every message the receiver has credit for onto the wire.
    pub fn depart(&mut self, now: Tick) -> Departure {
        let mut dep = Departure::default();
        // Latency edits must not reorder a pipe: arrivals never go backwards.
        let arrives = now.saturating_add(self.latency).max(self.last_arrival);
        while self.can_depart() {
            let Some(msg) = self.out.pop_front() else {
                break;
            };
            if self.out_flow.on_read() && !self.out_active {
                self.out_active = true;
                dep.writer_reactivated = true;
            }
            self.in_flow.on_write();
            dep.count += 1;
            dep.first.get_or_insert(msg.id);
            dep.last = Some(msg.id);
            self.wire.push_back((arrives, msg));
        }
        dep.arrives = arrives;
        if dep.count > 0 {
            self.last_arrival = arrives;
        }
        dep
    }

    /// The next message on the wire if it has arrived by `now`.
    pub fn take_arrived(&mut self, now: Tick) -> Option<Msg> {
        match self.wire.front() {
            Some((t, _)) if *t <= now => self.wire.pop_front().map(|(_, m)| m),
            _ => None,
        }
    }

    pub fn next_arrival(&self) -> Option<Tick> {
        self.wire.front().map(|(t, _)| *t)
    }

    /// Puts an arrived message in the receiver's stage. Returns `true` when
    /// the pipe had been found empty by its reader and must be re-activated
    /// in the receiving socket's fair queue.
    pub fn enqueue_arrived(&mut self, msg: Msg) -> bool {
        self.inq.push_back(msg);
        if self.in_active {
            false
        } else {
            self.in_active = true;
            true
        }
    }

    /// Consumes an arrived message without queueing it (a SUB discarding what
    /// it no longer subscribes to still reads it, and returns credit).
    /// Returns `true` when credit came back and queued messages may depart.
    pub fn discard_arrived(&mut self) -> bool {
        self.in_flow.on_read() && !self.out.is_empty()
    }

    /// libzmq `pipe_t::read`: the next message for the receiving socket, and
    /// whether that read returned credit so held messages may now depart.
    /// Marks the pipe inactive when it is found empty.
    pub fn read(&mut self) -> Option<(Msg, bool)> {
        if !self.in_active {
            return None;
        }
        match self.inq.pop_front() {
            Some(msg) => {
                let credit = self.in_flow.on_read() && !self.out.is_empty();
                Some((msg, credit))
            }
            None => {
                self.in_active = false;
                None
            }
        }
    }

    pub fn has_readable(&self) -> bool {
        !self.inq.is_empty()
    }

    pub fn set_sndhwm(&mut self, hwm: u32) {
        self.out_flow.set_hwm(hwm);
    }

    /// Returns `true` if the new mark gives room to a pipe marked full.
    pub fn refresh_out_active(&mut self) -> bool {
        if !self.out_active && self.out_flow.has_room() {
            self.out_active = true;
            true
        } else {
            false
        }
    }

    pub fn set_rcvhwm(&mut self, hwm: u32) {
        self.in_flow.set_hwm(hwm);
    }

    pub fn sndhwm(&self) -> u32 {
        self.out_flow.hwm()
    }

    pub fn rcvhwm(&self) -> u32 {
        self.in_flow.hwm()
    }

    /// Messages waiting in the sender's stage, on the wire, and in the
    /// receiver's stage.
    pub fn depths(&self) -> (usize, usize, usize) {
        (self.out.len(), self.wire.len(), self.inq.len())
    }

    /// Empties the pipe (its connection closed) and returns what was lost.
    pub fn drain_all(&mut self) -> Vec<Msg> {
        let mut lost: Vec<Msg> = self.out.drain(..).collect();
        lost.extend(self.wire.drain(..).map(|(_, m)| m));
        lost.extend(self.inq.drain(..));
        lost
    }

    /// Messages and payload bytes held anywhere in the pipe (sender stage,
    /// wire, receiver stage): what a live room's memory limit counts.
    pub fn queued_bytes(&self) -> (u64, u64) {
        let all = self
            .out
            .iter()
            .chain(self.wire.iter().map(|(_, m)| m))
            .chain(self.inq.iter());
        all.fold((0, 0), |(n, b), m| (n + 1, b + m.payload.len() as u64))
    }

    /// The sender's stage, oldest first.
    pub fn sending(&self) -> &VecDeque<Msg> {
        &self.out
    }

    /// The wire: each message with the tick it arrives at, oldest first.
    pub fn wire(&self) -> &VecDeque<(Tick, Msg)> {
        &self.wire
    }

    /// The receiver's stage, oldest first.
    pub fn receiving(&self) -> &VecDeque<Msg> {
        &self.inq
    }

    /// Ids of queued messages in order (sender stage, wire, receiver stage),
    /// for inspectors and tests.
    pub fn queued_ids(&self) -> Vec<crate::socket::MsgId> {
        self.out
            .iter()
            .chain(self.wire.iter().map(|(_, m)| m))
            .chain(self.inq.iter())
            .map(|m| m.id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::socket::{MsgId, Payload};

    fn msg(i: u64) -> Msg {
        Msg {
            id: MsgId(i),
            payload: Payload::from("x"),
        }
    }

    /// Writes until `check_write` refuses; returns how many went in.
    fn fill(p: &mut Pipe, next: &mut u64) -> u32 {
        let mut n = 0;
        while p.check_write() {
            p.write(msg(*next));
            *next += 1;
            n += 1;
        }
        n
    }

    #[test]
    fn lwm_is_half_rounded_up() {
        assert_eq!(Flow::compute_lwm(0), 0);
        assert_eq!(Flow::compute_lwm(1), 1);
        assert_eq!(Flow::compute_lwm(5), 3);
        assert_eq!(Flow::compute_lwm(1000), 500);
    }

    #[test]
    fn marks_of_five_accept_five_then_three() {
        let mut p = Pipe::new(5, 5, Tick(10));
        let mut next = 0;
        assert_eq!(fill(&mut p, &mut next), 5);
        let d = p.depart(Tick(0));
        assert_eq!(d.count, 5);
        assert!(d.writer_reactivated);
        assert_eq!(fill(&mut p, &mut next), 3);
        assert_eq!(p.depart(Tick(0)).count, 0, "the reader holds 5 unread");
        assert_eq!(fill(&mut p, &mut next), 0);
    }

    #[test]
    fn unlimited_marks_never_fill() {
        let mut p = Pipe::new(0, 0, Tick(0));
        for i in 0..10_000 {
            assert!(p.check_write());
            p.write(msg(i));
        }
        assert_eq!(p.depart(Tick(0)).count, 10_000);
    }

    #[test]
    fn reads_return_credit_in_batches() {
        let mut p = Pipe::new(4, 4, Tick(0));
        let mut next = 0;
        fill(&mut p, &mut next);
        p.depart(Tick(0));
        fill(&mut p, &mut next);
        assert_eq!(p.depart(Tick(0)).count, 0);
        for _ in 0..4 {
            let m = p.take_arrived(Tick(0)).unwrap();
            p.enqueue_arrived(m);
        }
        let (_, credit) = p.read().unwrap();
        assert!(!credit, "lwm 2: the first read returns no credit");
        let (_, credit) = p.read().unwrap();
        assert!(credit);
        assert_eq!(p.depart(Tick(0)).count, 2);
    }
}
