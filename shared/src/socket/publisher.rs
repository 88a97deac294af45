//! PUB: one message to every subscriber whose subscriptions match it.
//!
//! Over TCP, libzmq filters on the publisher's side: each connection keeps
//! the set of prefixes its subscriber sent, and a message matching no one
//! is simply not sent. A PUB never blocks; when a subscriber's pipe is at
//! its mark, that subscriber's copy is dropped (the others still get
//! theirs). Subscriptions travel over the connection like messages, so a
//! subscriber whose subscription has not arrived yet misses what is
//! published meanwhile: the slow joiner.

use std::collections::BTreeMap;

use super::{ConnId, subscriptions::Subscriptions};

#[derive(Clone, Debug, Default)]
pub struct Publisher {
    /// Connections in the order they completed (libzmq `dist_t` order).
    pipes: Vec<ConnId>,
    /// What each subscriber has told this publisher it wants.
    filters: BTreeMap<ConnId, Subscriptions>,
}

impl Publisher {
    pub fn attach(&mut self, conn: ConnId) {
        self.pipes.push(conn);
        self.filters.insert(conn, Subscriptions::default());
    }

    pub fn detach(&mut self, conn: ConnId) {
        self.pipes.retain(|c| *c != conn);
        self.filters.remove(&conn);
    }

    pub fn pipes(&self) -> &[ConnId] {
        &self.pipes
    }

    pub fn filter_mut(&mut self, conn: ConnId) -> Option<&mut Subscriptions> {
        self.filters.get_mut(&conn)
    }

    pub fn filter(&self, conn: ConnId) -> Option<&Subscriptions> {
        self.filters.get(&conn)
    }

    pub fn matches(&self, conn: ConnId, message: &[u8]) -> bool {
        self.filters.get(&conn).is_some_and(|f| f.matches(message))
    }
}
