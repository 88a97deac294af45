//! The other direction: a room whose scenario has an *external* node (no
//! program: a stand-in for a real one) binding a loopback endpoint, such
//! as `pythagoras` binding `tcp://127.0.0.1:6701`, connects to the real
//! program that binds that address on this machine, such as the student's
//! own `pythagoras`. The connection takes the external node over, so the
//! scenario's sockets that connect to the endpoint (the simulated
//! `judge`'s REQ) talk to the real program through it. When the program
//! goes away the node leaves with it, and the server connects again (as
//! libzmq reconnects) until the room closes; a later connection adds a
//! node of its own binding the endpoint.
//!
//! Only loopback addresses are dialed: a room must not make the server
//! open connections to other machines on a learner's behalf.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use fanout_shared::{
    protocol::{ZmtpEndpoint, ZmtpRole},
    sim::{Scenario, nodes::ProgramSpec},
};
use tokio::net::TcpStream;

use super::connection;
use crate::rooms::{Rooms, registry::RoomHandle};

/// How soon to connect again when nobody listens, or the program left.
const RECONNECT: Duration = Duration::from_millis(250);

/// How long to wait before connecting again to a program that was refused
/// (a socket type that does not pair, say), so its notices do not flood.
const AFTER_REFUSAL: Duration = Duration::from_secs(5);

/// One endpoint to connect to.
#[derive(Debug)]
pub struct Dial {
    pub info: ZmtpEndpoint,
    address: SocketAddr,
}

/// The loopback address and port a `tcp://` endpoint names, if any.
fn loopback(endpoint: &str) -> Option<SocketAddr> {
    let address = endpoint.strip_prefix("tcp://")?;
    let (host, port) = address.rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|p| *p != 0)?;
    let ip = match host.trim_start_matches('[').trim_end_matches(']') {
        "localhost" => IpAddr::V4(Ipv4Addr::LOCALHOST),
        other => other.parse().ok()?,
    };
    ip.is_loopback().then_some(SocketAddr::new(ip, port))
}

/// Whether an external node's endpoint is dialed rather than listened on.
pub fn dialed(endpoint: &str) -> bool {
    loopback(endpoint).is_some()
}

/// The endpoints that the scenario's external nodes (no program: stand-ins
/// for real programs) bind on this machine.
pub fn dials(scenario: &Scenario) -> Vec<Dial> {
    let mut out = Vec::new();
    for node in &scenario.nodes {
        if !matches!(node.program, ProgramSpec::External) {
            continue;
        }
        for socket in &node.sockets {
            for endpoint in &socket.bind {
                let endpoint = endpoint.as_str();
                let Some(address) = loopback(endpoint) else {
                    continue;
                };
                out.push(Dial {
                    info: ZmtpEndpoint {
                        endpoint: endpoint.to_owned(),
                        role: ZmtpRole::Dial,
                        node: node.name.clone(),
                        socket: socket.name.clone(),
                        kind: socket.kind,
                        address: address.to_string(),
                        port: address.port(),
                    },
                    address,
                });
            }
        }
    }
    out
}

/// Starts connecting to every endpoint in `dials` for the room `handle`
/// names.
pub fn spawn(dials: Vec<Dial>, handle: &RoomHandle, rooms: &Arc<Rooms>) {
    for d in dials {
        tracing::info!(room = %handle.code, endpoint = d.info.endpoint, "connecting to a ZeroMQ program's endpoint");
        let link = Arc::new(connection::Link {
            endpoint: d.info.endpoint,
            role: ZmtpRole::Dial,
            // We speak as the sockets that connect to the external node.
            ours: d.info.kind.peer(),
            node: d.info.node,
            socket: d.info.socket,
            handle: handle.clone(),
            rooms: Arc::clone(rooms),
        });
        tokio::spawn(dial(link, d.address));
    }
}

async fn dial(link: Arc<connection::Link>, address: SocketAddr) {
    loop {
        let pause = tokio::select! {
            _ = link.handle.commands.closed() => break,
            connected = TcpStream::connect(address) => match connected {
                Ok(stream) => {
                    if let Err(error) = stream.set_nodelay(true) {
                        tracing::debug!(%error, "cannot set TCP_NODELAY");
                    }
                    if connection::serve(stream, address, Arc::clone(&link)).await {
                        AFTER_REFUSAL
                    } else {
                        RECONNECT
                    }
                }
                Err(_) => RECONNECT,
            },
        };
        tokio::select! {
            _ = link.handle.commands.closed() => break,
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::loopback;

    #[test]
    fn only_loopback_endpoints_with_a_port_are_dialed() {
        assert_eq!(
            loopback("tcp://127.0.0.1:6701"),
            Some("127.0.0.1:6701".parse().unwrap())
        );
        assert_eq!(
            loopback("tcp://localhost:6701"),
            Some("127.0.0.1:6701".parse().unwrap())
        );
        assert_eq!(
            loopback("tcp://[::1]:6701"),
            Some("[::1]:6701".parse().unwrap())
        );
        assert_eq!(loopback("tcp://192.168.1.20:6701"), None);
        assert_eq!(loopback("tcp://example.com:6701"), None);
        assert_eq!(loopback("tcp://pythagoras"), None);
        assert_eq!(loopback("inproc://127.0.0.1:6701"), None);
    }
}
