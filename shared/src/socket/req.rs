//! REQ: strict send, receive, send, … alternation.
//!
//! A request goes round-robin to the REP peers with room (so two REPs see
//! `rep1, rep2, rep1, rep2`); only the reply from the peer that got the
//! request is accepted. Sending twice or receiving first fails with `EFSM`.

use super::{ConnId, FsmState, OpKind, SocketError, SocketKind, lb::LoadBalancer};

#[derive(Clone, Debug, Default)]
pub struct Req {
    pub lb: LoadBalancer,
    /// The connection the outstanding request went to; `None` when the
    /// socket may send.
    pub awaiting: Option<ConnId>,
}

impl Req {
    pub fn state(&self) -> FsmState {
        if self.awaiting.is_some() {
            FsmState::AwaitingReply
        } else {
            FsmState::ReadyToSend
        }
    }

    pub fn check_send(&self) -> Result<(), SocketError> {
        match self.awaiting {
            None => Ok(()),
            Some(_) => Err(self.efsm(OpKind::Send)),
        }
    }

    /// The connection a reply must come from.
    pub fn check_recv(&self) -> Result<ConnId, SocketError> {
        self.awaiting.ok_or_else(|| self.efsm(OpKind::Recv))
    }

    fn efsm(&self, op: OpKind) -> SocketError {
        SocketError::Efsm {
            kind: SocketKind::Req,
            op,
            state: self.state(),
        }
    }
}
