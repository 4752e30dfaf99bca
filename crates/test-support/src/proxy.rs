//! A TCP proxy between the application and PostgreSQL that a test can cut,
//! to see how the server behaves while the database is unreachable and
//! that it recovers once it is back, without touching the real server.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinHandle};

/// A cuttable proxy to one upstream address.
pub struct DbProxy {
    address: SocketAddr,
    state: Arc<ProxyState>,
    accept_loop: JoinHandle<()>,
}

#[derive(Default)]
struct ProxyState {
    cut: AtomicBool,
    connections: Mutex<Vec<AbortHandle>>,
}

impl DbProxy {
    /// Starts a proxy on an ephemeral local port forwarding to `upstream`.
    pub async fn start(upstream: SocketAddr) -> DbProxy {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind proxy");
        let address = listener.local_addr().expect("proxy address");
        let state = Arc::new(ProxyState::default());
        let loop_state = Arc::clone(&state);
        let accept_loop = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if loop_state.cut.load(Ordering::SeqCst) {
                    // Closing at once is what a client sees of a dead server.
                    drop(inbound);
                    continue;
                }
                let forward = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                        // Pass every message on at once, as a direct
                        // connection would: Nagle's algorithm would hold
                        // small writes back while an earlier one is unacked.
                        let _ = inbound.set_nodelay(true);
                        let _ = outbound.set_nodelay(true);
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                let mut connections = loop_state
                    .connections
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                connections.retain(|handle| !handle.is_finished());
                connections.push(forward.abort_handle());
            }
        });
        DbProxy {
            address,
            state,
            accept_loop,
        }
    }

    /// The address to connect to instead of the upstream.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Severs every open connection and refuses new ones.
    pub fn cut(&self) {
        self.state.cut.store(true, Ordering::SeqCst);
        let connections = std::mem::take(
            &mut *self
                .state
                .connections
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        for connection in connections {
            connection.abort();
        }
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        self.state.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for DbProxy {
    fn drop(&mut self) {
        self.accept_loop.abort();
        self.cut();
    }
}
