//! SUB prefix subscriptions.
//!
//! A subscriber receives a message iff one of its subscriptions is a byte
//! prefix of it; the empty subscription matches everything and no
//! subscription matches nothing. The subscriber's own set counts
//! duplicates (libzmq `trie_t`: subscribing twice needs two unsubscribes,
//! and only the last one is sent upstream); the publisher's copy per pipe is
//! a plain set (`mtrie_t`). A sorted map keeps iteration, and so the trace,
//! in a fixed order.

use std::collections::BTreeMap;

use super::Payload;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subscriptions {
    topics: BTreeMap<Payload, u32>,
}

impl Subscriptions {
    /// Adds one reference; `true` if the topic is new (and so must be sent
    /// to publishers).
    pub fn subscribe(&mut self, topic: &Payload) -> bool {
        let count = self.topics.entry(topic.clone()).or_insert(0);
        *count += 1;
        *count == 1
    }

    /// Removes one reference; `true` if that was the last (the publisher
    /// must forget it). Unsubscribing an unknown topic does nothing.
    pub fn unsubscribe(&mut self, topic: &Payload) -> bool {
        match self.topics.get_mut(topic) {
            Some(count) if *count > 1 => {
                *count -= 1;
                false
            }
            Some(_) => {
                self.topics.remove(topic);
                true
            }
            None => false,
        }
    }

    /// Sets a publisher-side entry (no counting).
    pub fn insert_once(&mut self, topic: &Payload) {
        self.topics.insert(topic.clone(), 1);
    }

    pub fn remove_all(&mut self, topic: &Payload) {
        self.topics.remove(topic);
    }

    pub fn matches(&self, message: &[u8]) -> bool {
        self.topics
            .keys()
            .any(|topic| message.starts_with(topic.as_bytes()))
    }

    /// The first subscription matching `message`, for captions.
    pub fn matching(&self, message: &[u8]) -> Option<&Payload> {
        self.topics
            .keys()
            .find(|topic| message.starts_with(topic.as_bytes()))
    }

    pub fn topics(&self) -> impl Iterator<Item = &Payload> {
        self.topics.keys()
    }

    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subs(list: &[&str]) -> Subscriptions {
        let mut s = Subscriptions::default();
        for t in list {
            s.subscribe(&Payload::from(*t));
        }
        s
    }

    #[test]
    fn prefix_table() {
        let weather = subs(&["weather."]);
        assert!(weather.matches(b"weather.paris"));
        assert!(weather.matches(b"weather.oslo"));
        assert!(!weather.matches(b"news"));
        assert!(subs(&["news"]).matches(b"newsletter"));
        assert!(subs(&[""]).matches(b"anything"));
        assert!(subs(&[""]).matches(b""));
        assert!(!subs(&[]).matches(b"anything"));
    }

    #[test]
    fn counts_duplicates() {
        let mut s = subs(&["a", "a"]);
        assert!(!s.unsubscribe(&Payload::from("a")));
        assert!(s.matches(b"abc"));
        assert!(s.unsubscribe(&Payload::from("a")));
        assert!(!s.matches(b"abc"));
        assert!(!s.unsubscribe(&Payload::from("zzz")));
    }
}
