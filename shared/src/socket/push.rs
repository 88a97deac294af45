//! PUSH: the sending end of a pipeline.
//!
//! Each message goes to exactly one PULL, round-robin over the peers whose
//! pipe has room ([`LoadBalancer`]). With no pipe, or every pipe at its
//! mark, the send blocks (`EAGAIN` when non-blocking): a pipeline applies
//! back-pressure and never drops. A *binding* PUSH counts a peer only once
//! its connection completed, so sending right after the first worker
//! joined gives that worker everything; a *connecting* PUSH has its pipe
//! from `connect` on and queues into it even before anyone binds.

use super::lb::LoadBalancer;

#[derive(Clone, Debug, Default)]
pub struct Push {
    pub lb: LoadBalancer,
}
