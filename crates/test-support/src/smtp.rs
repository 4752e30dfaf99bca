//! A real SMTP server for the mail tests (mailin-embedded on an ephemeral
//! port), recording what it receives; it can refuse recipients, to test
//! bounces.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::{Handler, Response, Server, response};

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The envelope sender.
    pub from: String,
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The message as sent, headers and body.
    pub data: Vec<u8>,
}

impl ReceivedMail {
    /// The message parsed (headers decoded, parts split).
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.data)
            .expect("a parsable message")
    }

    /// The message's raw text (headers as sent, still encoded).
    pub fn raw(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// An SMTP server running until the test process ends.
pub struct SmtpServer {
    address: SocketAddr,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    refusing: Arc<AtomicBool>,
}

impl SmtpServer {
    /// Starts a server on an ephemeral port of 127.0.0.1.
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind the SMTP server");
        let address = listener.local_addr().expect("SMTP server address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let refusing = Arc::new(AtomicBool::new(false));
        let recorder = Recorder {
            received: received.clone(),
            refusing: refusing.clone(),
            current: None,
        };
        std::thread::spawn(move || {
            let mut server = Server::new(recorder);
            server.with_name("smtp.test").with_tcp_listener(listener);
            server.serve().expect("SMTP server");
        });
        SmtpServer {
            address,
            received,
            refusing,
        }
    }

    /// `ALUMNI_SMTP_URL` for this server (no TLS).
    pub fn url(&self) -> String {
        format!("smtp://{}?tls=none", self.address)
    }

    /// Refuse every recipient from now on (`550 Mailbox unavailable`), or
    /// accept them again.
    pub fn refuse_recipients(&self, refuse: bool) {
        self.refusing.store(refuse, Ordering::SeqCst);
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received.lock().expect("received mail").clone()
    }

    /// Waits (at most ten seconds) until `count` messages have arrived.
    pub async fn wait_for(&self, count: usize) -> Vec<ReceivedMail> {
        for _ in 0..500 {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "expected {count} messages, received {}",
            self.received().len()
        );
    }
}

#[derive(Clone)]
struct Recorder {
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    refusing: Arc<AtomicBool>,
    current: Option<ReceivedMail>,
}

impl Handler for Recorder {
    fn rcpt(&mut self, _to: &str) -> Response {
        if self.refusing.load(Ordering::SeqCst) {
            response::NO_MAILBOX
        } else {
            response::OK
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(ReceivedMail {
            from: from.to_owned(),
            to: to.to_vec(),
            data: Vec::new(),
        });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        if let Some(current) = &mut self.current {
            current.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(done) = self.current.take() {
            self.received.lock().expect("received mail").push(done);
        }
        response::OK
    }
}
