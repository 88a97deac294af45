//! The ZMTP codec against hostile bytes: whatever a peer sends, in
//! whatever pieces, the connection never panics, never holds more than a
//! frame's worth of input, and either keeps going or closes with a reason.
//! A valid conversation cut into random pieces reads exactly as whole.

#![cfg(not(target_arch = "wasm32"))]

use fanout_shared::{
    socket::SocketKind,
    zmtp::{Command, Frame, Greeting, PeerEvent, ZmtpPeer},
};
use proptest::prelude::*;

const LIMIT: u64 = 512;

fn kinds() -> impl Strategy<Value = SocketKind> {
    prop::sample::select(vec![
        SocketKind::Pub,
        SocketKind::Sub,
        SocketKind::Push,
        SocketKind::Pull,
        SocketKind::Req,
        SocketKind::Rep,
    ])
}

/// A PUSH peer's greeting, READY and messages.
fn conversation(messages: &[String]) -> Vec<u8> {
    let mut bytes = Greeting::ours().encode().to_vec();
    Frame::command(Command::ready("PUSH").encode()).encode_into(&mut bytes);
    for m in messages {
        Frame::message(m.as_bytes(), false).encode_into(&mut bytes);
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(kind in kinds(), chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..200), 0..20)) {
        let mut peer = ZmtpPeer::new(kind, LIMIT);
        for chunk in chunks {
            if peer.feed(&chunk).is_err() {
                break;
            }
            while peer.poll_event().is_some() {}
            peer.take_output();
        }
    }

    #[test]
    fn a_greeting_then_random_frames_never_panic(kind in kinds(), tail in prop::collection::vec(any::<u8>(), 0..600)) {
        let mut bytes = Greeting::ours().encode().to_vec();
        Frame::command(Command::ready(kind.peer().name()).encode()).encode_into(&mut bytes);
        bytes.extend(tail);
        let mut peer = ZmtpPeer::new(kind, LIMIT);
        let _ = peer.feed(&bytes);
        while peer.poll_event().is_some() {}
    }

    #[test]
    fn pieces_read_as_the_whole(messages in prop::collection::vec("[a-z0-9 ]{0,40}", 0..12), cuts in prop::collection::vec(1usize..50, 1..40)) {
        let bytes = conversation(&messages);
        let mut peer = ZmtpPeer::new(SocketKind::Pull, LIMIT);
        let mut rest = bytes.as_slice();
        let mut cuts = cuts.into_iter().cycle();
        while !rest.is_empty() {
            let n = cuts.next().unwrap_or(1).min(rest.len());
            peer.feed(&rest[..n]).unwrap();
            rest = &rest[n..];
        }
        let got: Vec<String> = std::iter::from_fn(|| peer.poll_event())
            .filter_map(|e| match e {
                PeerEvent::Message(m) => Some(m),
                _ => None,
            })
            .collect();
        prop_assert_eq!(got, messages);
    }
}
