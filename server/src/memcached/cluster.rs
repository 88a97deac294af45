//! The N cache nodes of `fanout serve`: bound together at start-up (so a
//! port in use fails before anything runs), served until shutdown, and
//! reachable by number from the browser's WebSocket session.

use std::{
    net::SocketAddr,
    sync::{Arc, atomic::AtomicU64},
};

use fanout_shared::cache::ConnId;
use tokio::{net::TcpListener, sync::watch};

use super::{
    node::{self, Node, NodeSettings},
    workers::Workers,
};
use crate::{StartError, bind};

/// The flag that chooses the nodes' addresses, named in start-up errors.
pub const FLAG: &str = "--memcached";

/// Every cache node of one server.
#[derive(Debug)]
pub struct Cluster {
    nodes: Vec<Arc<Node>>,
    /// Numbers every connection, TCP clients and browser sessions alike, so
    /// an event can say which one caused it. 0 means "the cache itself".
    conn_ids: Arc<AtomicU64>,
    /// The threads serving the nodes' TCP connections.
    workers: Arc<Workers>,
}

/// A cluster whose listeners are bound but not yet accepting.
#[derive(Debug)]
pub struct BoundCluster {
    pub cluster: Arc<Cluster>,
    listeners: Vec<TcpListener>,
}

impl Cluster {
    /// Binds `count` nodes: on consecutive ports from `addr`, or each on
    /// its own ephemeral port when `addr`'s port is 0.
    pub async fn bind(
        addr: SocketAddr,
        count: usize,
        settings: NodeSettings,
        threads: usize,
    ) -> Result<BoundCluster, StartError> {
        let mut nodes = Vec::with_capacity(count);
        let mut listeners = Vec::with_capacity(count);
        for id in 0..count {
            let mut wanted = addr;
            if addr.port() != 0 {
                let port =
                    u16::try_from(usize::from(addr.port()) + id).map_err(|_| StartError::Bind {
                        addr,
                        flag: FLAG,
                        source: std::io::Error::other(format!(
                            "{count} nodes from port {} run past port 65535",
                            addr.port()
                        )),
                    })?;
                wanted.set_port(port);
            }
            let listener = bind(wanted, FLAG).await?;
            let local = listener.local_addr().map_err(|source| StartError::Bind {
                addr: wanted,
                flag: FLAG,
                source,
            })?;
            nodes.push(Arc::new(Node::new(id, local, settings)));
            listeners.push(listener);
        }
        let cluster = Arc::new(Cluster {
            nodes,
            conn_ids: Arc::new(AtomicU64::new(1)),
            workers: Workers::start(threads).map_err(StartError::Threads)?,
        });
        Ok(BoundCluster { cluster, listeners })
    }

    pub fn nodes(&self) -> &[Arc<Node>] {
        &self.nodes
    }

    pub fn node(&self, id: usize) -> Option<&Arc<Node>> {
        self.nodes.get(id)
    }

    /// A fresh connection number (for a browser session).
    pub fn next_conn_id(&self) -> ConnId {
        self.conn_ids
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }
}

impl BoundCluster {
    /// Starts accepting on every node; each stops when `shutdown` turns true.
    pub fn spawn(self, shutdown: watch::Receiver<bool>) -> Arc<Cluster> {
        for (listener, node) in self.listeners.into_iter().zip(self.cluster.nodes.iter()) {
            tokio::spawn(node::run(
                listener,
                Arc::clone(node),
                Arc::clone(&self.cluster.conn_ids),
                Arc::clone(&self.cluster.workers),
                shutdown.clone(),
            ));
        }
        self.cluster
    }
}
