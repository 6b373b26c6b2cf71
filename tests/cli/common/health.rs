//! A local HTTP endpoint for deploy policies' health checks: it answers each request with
//! the next of its statuses (the last one repeats), or always redirects, and counts what it
//! was asked. Its body (`ok`) can be changed while it runs: a service that reports its
//! version, and starts reporting another when someone deploys it.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub struct Health {
    /// `http://127.0.0.1:<port>/health`
    pub url: String,
    /// `http://127.0.0.1:<port>/`, the prefix to grant.
    pub origin: String,
    hits: Arc<AtomicUsize>,
    body: Arc<Mutex<String>>,
}

impl Health {
    pub fn answering(statuses: &[u16]) -> Health {
        Health::serve(statuses.to_vec(), None)
    }

    /// Every request is sent on to `location` (302).
    pub fn redirecting_to(location: &str) -> Health {
        Health::serve(vec![302], Some(location.to_string()))
    }

    fn serve(statuses: Vec<u16>, location: Option<String>) -> Health {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let body = Arc::new(Mutex::new("ok".to_string()));
        let answer = Arc::clone(&body);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                // The request line and headers, up to the blank line.
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let status = statuses[n.min(statuses.len() - 1)];
                let location = location
                    .as_ref()
                    .map_or(String::new(), |to| format!("Location: {to}\r\n"));
                let body = answer.lock().unwrap().clone();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} Status\r\n{location}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Health {
            url: format!("http://127.0.0.1:{port}/health"),
            origin: format!("http://127.0.0.1:{port}/"),
            hits,
            body,
        }
    }

    /// From now on, answer with `body`.
    pub fn set_body(&self, body: &str) {
        *self.body.lock().unwrap() = body.to_string();
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}
