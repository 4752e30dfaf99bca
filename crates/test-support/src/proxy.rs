//! A TCP proxy between the application and PostgreSQL that a test can cut,
//! to see how the server behaves while the database is unreachable and
//! that it recovers once it is back, without touching the real server. It
//! can also cut at the worst moment: right after the server confirmed a
//! commit, before the application does anything else.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinHandle};

/// What PostgreSQL sends for a `COMMIT` that succeeded: the command tag
/// `COMMIT`, then "ready for query" on an idle connection.
const COMMITTED: &[u8] = b"C\0\0\0\x0bCOMMIT\0Z\0\0\0\x05I";

/// A cuttable proxy to one upstream address.
pub struct DbProxy {
    address: SocketAddr,
    state: Arc<ProxyState>,
    accept_loop: JoinHandle<()>,
}

#[derive(Default)]
struct ProxyState {
    cut: AtomicBool,
    cut_after_commit: AtomicBool,
    connections: Mutex<Vec<AbortHandle>>,
}

impl ProxyState {
    fn sever(&self) {
        self.cut.store(true, Ordering::SeqCst);
        let connections =
            std::mem::take(&mut *self.connections.lock().unwrap_or_else(|e| e.into_inner()));
        for connection in connections {
            connection.abort();
        }
    }
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
            while let Ok((inbound, _)) = listener.accept().await {
                if loop_state.cut.load(Ordering::SeqCst) {
                    // Closing at once is what a client sees of a dead server.
                    drop(inbound);
                    continue;
                }
                let state = Arc::clone(&loop_state);
                let forward = tokio::spawn(async move {
                    if let Ok(outbound) = TcpStream::connect(upstream).await {
                        // Pass every message on at once, as a direct
                        // connection would: Nagle's algorithm would hold
                        // small writes back while an earlier one is unacked.
                        let _ = inbound.set_nodelay(true);
                        let _ = outbound.set_nodelay(true);
                        let (mut client_read, mut client_write) = inbound.into_split();
                        let (mut server_read, mut server_write) = outbound.into_split();
                        let requests = async {
                            let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
                            let _ = server_write.shutdown().await;
                        };
                        let replies = relay_replies(&mut server_read, &mut client_write, &state);
                        tokio::join!(requests, replies);
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
        self.state.sever();
    }

    /// Cuts (as [`cut`](Self::cut)) as soon as the server has confirmed the
    /// next commit, once the confirmation has reached the application: the
    /// transaction's work is in the database, and whatever the application
    /// does next fails.
    pub fn cut_after_next_commit(&self) {
        self.state.cut_after_commit.store(true, Ordering::SeqCst);
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        self.state.cut.store(false, Ordering::SeqCst);
    }
}

/// Passes the server's replies on to the application, watching for a
/// confirmed commit when a cut is due after one.
async fn relay_replies(from: &mut OwnedReadHalf, to: &mut OwnedWriteHalf, state: &ProxyState) {
    let mut buffer = vec![0_u8; 16 * 1024];
    // The last bytes relayed, so a confirmation split across reads is seen.
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        let chunk = &buffer[..read];
        if state.cut_after_commit.load(Ordering::SeqCst) {
            let seen = [&tail[..], chunk].concat();
            if let Some(start) = seen
                .windows(COMMITTED.len())
                .position(|window| window == COMMITTED)
            {
                let end = start + COMMITTED.len() - tail.len();
                let _ = to.write_all(&chunk[..end]).await;
                let _ = to.flush().await;
                if state.cut_after_commit.swap(false, Ordering::SeqCst) {
                    state.sever();
                }
                return;
            }
        }
        if to.write_all(chunk).await.is_err() {
            break;
        }
        let keep = COMMITTED.len() - 1;
        tail.extend_from_slice(chunk);
        tail.drain(..tail.len().saturating_sub(keep));
    }
    let _ = to.shutdown().await;
}

impl Drop for DbProxy {
    fn drop(&mut self) {
        self.accept_loop.abort();
        self.cut();
    }
}
