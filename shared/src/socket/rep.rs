//! REP: strict receive, send, receive, … alternation.
//!
//! Requests are fair-queued over the REQ peers; the reply goes back on the
//! connection the request came from (libzmq keeps the envelope). If that
//! peer left, or its pipe is at the mark, the reply is dropped, as a
//! ROUTER does. Sending first or receiving twice fails with `EFSM`.

use super::{ConnId, FsmState, OpKind, SocketError, SocketKind, fq::FairQueue};

#[derive(Clone, Debug, Default)]
pub struct Rep {
    pub fq: FairQueue,
    /// Whether a reply is owed, and to which connection (`None` inside
    /// when the asker disconnected meanwhile).
    pub replying_to: Option<Option<ConnId>>,
}

impl Rep {
    pub fn state(&self) -> FsmState {
        if self.replying_to.is_some() {
            FsmState::MustReply
        } else {
            FsmState::AwaitingRequest
        }
    }

    pub fn check_recv(&self) -> Result<(), SocketError> {
        match self.replying_to {
            None => Ok(()),
            Some(_) => Err(self.efsm(OpKind::Recv)),
        }
    }

    /// Where the reply goes (`Ok(None)`: the asker is gone).
    pub fn check_send(&self) -> Result<Option<ConnId>, SocketError> {
        self.replying_to.ok_or_else(|| self.efsm(OpKind::Send))
    }

    pub fn forget_asker(&mut self, conn: ConnId) {
        if self.replying_to == Some(Some(conn)) {
            self.replying_to = Some(None);
        }
    }

    fn efsm(&self, op: OpKind) -> SocketError {
        SocketError::Efsm {
            kind: SocketKind::Rep,
            op,
            state: self.state(),
        }
    }
}
