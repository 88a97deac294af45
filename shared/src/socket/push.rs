//! PUSH: the sending end of a pipeline.
//!
//! Each message goes to exactly one connected PULL, round-robin over the
//! peers whose pipe has room ([`LoadBalancer`]). With no peer, or every
//! pipe at its mark, the send blocks (`EAGAIN` when non-blocking): a
//! pipeline applies back-pressure and never drops. Only completed
//! connections count, so a PUSH that sends right after its first worker
//! joined gives that worker everything.

use super::lb::LoadBalancer;

#[derive(Clone, Debug, Default)]
pub struct Push {
    pub lb: LoadBalancer,
}
