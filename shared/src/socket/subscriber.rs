//! SUB: receives what its prefix subscriptions select, fair-queued over
//! its publishers.
//!
//! The subscriber keeps its own counted set of subscriptions and sends each
//! change to every connected publisher (and the whole set when a
//! connection completes). It also filters what arrives, as libzmq's `xsub`
//! does, so a message already in flight when a topic was unsubscribed is
//! discarded on arrival.

use super::{fq::FairQueue, subscriptions::Subscriptions};

#[derive(Clone, Debug, Default)]
pub struct Subscriber {
    pub fq: FairQueue,
    pub subs: Subscriptions,
}
