//! PULL: the receiving end of a pipeline, fair-queueing over its PUSH
//! peers so a fast producer cannot starve a slow one's messages.

use super::fq::FairQueue;

#[derive(Clone, Debug, Default)]
pub struct Pull {
    pub fq: FairQueue,
}
