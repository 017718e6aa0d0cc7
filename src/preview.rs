//! The HTTP server behind `lectern serve`: one page at `/` that reloads when the deck is
//! rebuilt (server-sent events at `/__events`).
//!
//! It listens on 127.0.0.1 only, and answers only requests whose `Host` header names
//! that address (`127.0.0.1`, `localhost`, `[::1]`, with or without the port): a web page
//! elsewhere cannot read the preview by pointing a DNS name at 127.0.0.1 (DNS
//! rebinding). Every response carries a Content-Security-Policy that lets only lectern's
//! own reload script run.

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::{Arc, Condvar, Mutex};

use tiny_http::{Header, Request, Response, StatusCode};

/// The page being served and a counter of its versions (browsers reload on change).
struct Page {
    html: Mutex<(u64, String)>,
    changed: Condvar,
}

pub struct PreviewServer {
    addr: SocketAddr,
    page: Arc<Page>,
}

impl PreviewServer {
    /// Listens on 127.0.0.1:`port`, or the first free port of 3000–3005.
    pub fn new(title: &str, port: Option<u16>) -> Result<Self, String> {
        let listener = bind(port)?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let server =
            tiny_http::Server::from_listener(listener, None).map_err(|e| format!("cannot start the server: {e}"))?;
        let placeholder = format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body><p>Building {}…</p></body></html>",
            escape_html(title),
            escape_html(title)
        );
        let page = Arc::new(Page { html: Mutex::new((0, placeholder)), changed: Condvar::new() });
        let shared = page.clone();
        let nonce = nonce();
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let _ = handle(request, addr.port(), &shared, &nonce);
            }
        });
        Ok(PreviewServer { addr, page })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces the page; connected browsers reload.
    pub fn set_html(&self, html: String) {
        let mut page = self.page.html.lock().unwrap_or_else(|e| e.into_inner());
        *page = (page.0 + 1, html);
        self.page.changed.notify_all();
    }
}

fn bind(port: Option<u16>) -> Result<TcpListener, String> {
    let ports: Vec<u16> = match port {
        Some(p) => vec![p],
        None => (3000..=3005).collect(),
    };
    for p in &ports {
        match TcpListener::bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), *p)) {
            Ok(listener) => return Ok(listener),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => continue,
            Err(e) => return Err(format!("cannot listen on 127.0.0.1:{p}: {e}")),
        }
    }
    Err(match port {
        Some(p) => format!("port {p} is already in use"),
        None => "ports 3000-3005 are all in use; choose one with --port".to_string(),
    })
}

/// Whether a `Host` header names this server on the loopback interface.
pub fn host_allowed(host: Option<&str>, port: u16) -> bool {
    let Some(host) = host else { return false };
    let host = host.trim().to_ascii_lowercase();
    // A rebinding page's requests carry its own name; only loopback names pass, with or
    // without the port (HTTP clients leave it out for a port they consider the default).
    ["127.0.0.1", "localhost", "[::1]"].iter().any(|name| host == *name || host == format!("{name}:{port}"))
}

fn handle(request: Request, port: u16, page: &Arc<Page>, nonce: &str) -> io::Result<()> {
    let host = request.headers().iter().find(|h| h.field.equiv("Host")).map(|h| h.value.as_str().to_string());
    if !host_allowed(host.as_deref(), port) {
        let body = format!("lectern serves this preview only at http://127.0.0.1:{port}/\n");
        return request.respond(Response::from_string(body).with_status_code(StatusCode(403)));
    }
    let path = request.url().split('?').next().unwrap_or("/").to_string();
    match path.as_str() {
        "/" => {
            let html = page.html.lock().unwrap_or_else(|e| e.into_inner()).1.clone();
            let script = format!(
                "<script nonce=\"{nonce}\">new EventSource(\"/__events\").addEventListener(\"reload\", () => location.reload())</script>"
            );
            let at = html.rfind("</body>").unwrap_or(html.len());
            let html = format!("{}{script}{}", &html[..at], &html[at..]);
            let csp = format!(
                "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; \
                 font-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'"
            );
            let headers = [
                Header::from_bytes("Content-Type", "text/html; charset=utf-8").unwrap(),
                Header::from_bytes("Content-Security-Policy", csp.as_bytes()).unwrap(),
                Header::from_bytes("X-Content-Type-Options", "nosniff").unwrap(),
                Header::from_bytes("Cache-Control", "no-store").unwrap(),
            ];
            let mut response = Response::from_string(html);
            for h in headers {
                response.add_header(h);
            }
            request.respond(response)
        }
        "/__events" => {
            let page = page.clone();
            std::thread::spawn(move || events(request, &page));
            Ok(())
        }
        _ => request.respond(Response::empty(StatusCode(404))),
    }
}

/// One browser's event stream: a `reload` event each time the page changes.
fn events(request: Request, page: &Page) -> io::Result<()> {
    let mut writer = request.into_writer();
    // Written by hand: tiny_http would send a chunked body, which browsers dislike here.
    write!(writer, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n")?;
    writer.flush()?;
    let mut seen = page.html.lock().unwrap_or_else(|e| e.into_inner()).0;
    loop {
        let guard = page.html.lock().unwrap_or_else(|e| e.into_inner());
        let guard = page.changed.wait_while(guard, |p| p.0 == seen).unwrap_or_else(|e| e.into_inner());
        seen = guard.0;
        drop(guard);
        // Fails (and ends this thread) once the browser has gone.
        write!(writer, "event: reload\ndata:\n\n")?;
        writer.flush()?;
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A value a page cannot guess, for the script nonce (no cryptography needed: it only
/// has to differ from anything an injected script could carry).
fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    format!("{:016x}", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_header_must_name_the_loopback_address() {
        assert!(host_allowed(Some("127.0.0.1:3000"), 3000));
        assert!(host_allowed(Some("localhost:3000"), 3000));
        assert!(host_allowed(Some("127.0.0.1"), 3000));
        assert!(!host_allowed(Some("evil.example:3000"), 3000));
        assert!(!host_allowed(Some("127.0.0.1:3001"), 3000));
        assert!(!host_allowed(None, 3000));
    }
}
