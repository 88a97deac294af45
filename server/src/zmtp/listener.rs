//! Which endpoints a room exposes to real ZeroMQ programs, on which ports,
//! and the accept loops.
//!
//! Every `tcp://` endpoint the room's scenario binds gets one listener on
//! the `--zmtp` address (loopback unless the teacher opened it to the
//! network, as with `--memcached`). With `--zmtp-ports named` an endpoint
//! that names a port listens there when it is free, so the chapter's
//! `tcp://127.0.0.1:6700` works unchanged; otherwise the system picks a
//! free port, and `room_joined` says which. The listeners live as long as
//! the room: each accept loop ends when the room's task does.

use std::{net::SocketAddr, sync::Arc};

use fanout_shared::{
    protocol::{ZmtpEndpoint, ZmtpRole},
    sim::{Scenario, nodes::ProgramSpec},
    socket::SocketKind,
};
use tokio::net::TcpListener;

use super::{PortChoice, ZmtpConfig, connection, dialer};
use crate::rooms::{Rooms, registry::RoomHandle};

/// One endpoint bound for a room, not yet accepting.
#[derive(Debug)]
pub struct Exposed {
    pub info: ZmtpEndpoint,
    /// The type of the scenario's socket that binds the endpoint: what a
    /// program's socket must pair with.
    pub kind: SocketKind,
    listener: std::net::TcpListener,
}

/// The port an endpoint names, if any (`tcp://127.0.0.1:6700`,
/// `tcp://*:6700`); `tcp://ventilator` names none.
fn named_port(endpoint: &str) -> Option<u16> {
    let address = endpoint.strip_prefix("tcp://")?;
    let (_, port) = address.rsplit_once(':')?;
    port.parse().ok().filter(|p| *p != 0)
}

fn bind(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Binds a listener for every `tcp://` endpoint the scenario binds;
/// `None` when the server was started with `--zmtp off` (the room is
/// created without ports, and `room_joined` lists none).
pub fn expose(scenario: &Scenario, config: ZmtpConfig) -> Option<Vec<Exposed>> {
    let host = config.host.0?;
    let mut exposed = Vec::new();
    for node in &scenario.nodes {
        let external = matches!(node.program, ProgramSpec::External);
        for socket in &node.sockets {
            for endpoint in &socket.bind {
                let endpoint = endpoint.as_str();
                // An external node's loopback address is where a real
                // program binds: the room connects to it (`dialer`).
                if !endpoint.starts_with("tcp://") || (external && dialer::dialed(endpoint)) {
                    continue;
                }
                let wanted = match config.ports {
                    PortChoice::Named => named_port(endpoint),
                    PortChoice::Free => None,
                };
                let listener = match wanted.map(|port| bind(SocketAddr::new(host, port))) {
                    Some(Ok(listener)) => Ok(listener),
                    Some(Err(error)) => {
                        tracing::warn!(endpoint, %error, "the endpoint's own port is taken; listening on a free one");
                        bind(SocketAddr::new(host, 0))
                    }
                    None => bind(SocketAddr::new(host, 0)),
                };
                let listener = match listener {
                    Ok(listener) => listener,
                    Err(error) => {
                        tracing::warn!(endpoint, %error, "cannot listen for ZeroMQ programs");
                        continue;
                    }
                };
                let Ok(address) = listener.local_addr() else {
                    continue;
                };
                exposed.push(Exposed {
                    info: ZmtpEndpoint {
                        endpoint: endpoint.to_owned(),
                        role: ZmtpRole::Listen,
                        node: node.name.clone(),
                        socket: socket.name.clone(),
                        kind: socket.kind,
                        address: address.to_string(),
                        port: address.port(),
                    },
                    kind: socket.kind,
                    listener,
                });
            }
        }
    }
    Some(exposed)
}

/// Starts accepting on every exposed endpoint of the room `handle` names.
pub fn spawn(exposed: Vec<Exposed>, handle: &RoomHandle, rooms: &Arc<Rooms>) {
    for e in exposed {
        let listener = match TcpListener::from_std(e.listener) {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(endpoint = e.info.endpoint, %error, "cannot accept ZeroMQ programs");
                continue;
            }
        };
        tracing::info!(room = %handle.code, endpoint = e.info.endpoint, address = e.info.address, "listening for ZeroMQ programs");
        let link = Arc::new(connection::Link {
            endpoint: e.info.endpoint,
            role: ZmtpRole::Listen,
            ours: e.kind,
            node: e.info.node.clone(),
            socket: e.info.socket.clone(),
            handle: handle.clone(),
            rooms: Arc::clone(rooms),
        });
        tokio::spawn(accept(listener, link));
    }
}

async fn accept(listener: TcpListener, link: Arc<connection::Link>) {
    loop {
        tokio::select! {
            _ = link.handle.commands.closed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, from)) => {
                    if let Err(error) = stream.set_nodelay(true) {
                        tracing::debug!(%error, "cannot set TCP_NODELAY");
                    }
                    let link = Arc::clone(&link);
                    tokio::spawn(async move { connection::serve(stream, from, link).await });
                }
                Err(error) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(%error, "accepting a ZeroMQ connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::named_port;

    #[test]
    fn ports_are_read_from_tcp_endpoints_only() {
        assert_eq!(named_port("tcp://127.0.0.1:6700"), Some(6700));
        assert_eq!(named_port("tcp://*:6701"), Some(6701));
        assert_eq!(named_port("tcp://ventilator"), None);
        assert_eq!(named_port("tcp://x:0"), None);
        assert_eq!(named_port("inproc://x:6700"), None);
    }
}
