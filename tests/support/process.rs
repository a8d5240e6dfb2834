//! The real `casemark` binary as a child process, and a minimal HTTP/1.1
//! client over a plain TCP connection, for tests that kill or signal the
//! server.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Server {
    /// Starts the binary against `database_url` and waits until /readyz
    /// says it is ready.
    pub async fn start(database_url: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_casemark"))
            .env("DATABASE_URL", database_url)
            .env("CASEMARK_ADDR", &addr)
            .env("CASEMARK_LOG_FORMAT", "json")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the casemark binary");
        let server = Server { child, addr };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(reply) = send(&server.addr, "GET", "/readyz", None, None).await
                && reply.status == 200
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("casemark did not become ready within 30 s");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "signal {signal} sent");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// The status line and headers.
    pub head: String,
    pub body: String,
}

impl Reply {
    /// A cookie the response sets, as `name=value`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            let pair = value.trim().split(';').next()?.trim();
            (key.trim().eq_ignore_ascii_case("set-cookie") && pair.starts_with(&format!("{name}=")))
                .then(|| pair.to_owned())
        })
    }
}

/// One request with the given extra headers (a `Cookie`, say) and an
/// optional urlencoded form body, on its own connection.
pub async fn send_form(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    form: Option<&str>,
) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(addr).await?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = form {
        head.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    if let Some(body) = form {
        stream.write_all(body.as_bytes()).await?;
    }
    read_reply(&mut stream).await
}

/// One request on its own connection (`Connection: close`), with an
/// optional bearer token and JSON body.
pub async fn send(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    json: Option<&str>,
) -> std::io::Result<Reply> {
    send_on(TcpStream::connect(addr).await?, method, path, token, json).await
}

/// [`send`] on a connection already made (a test that chooses where to
/// send by whether it can connect).
pub async fn send_on(
    mut stream: TcpStream,
    method: &str,
    path: &str,
    token: Option<&str>,
    json: Option<&str>,
) -> std::io::Result<Reply> {
    stream
        .write_all(head(method, path, token, json.map_or(0, str::len)).as_bytes())
        .await?;
    if let Some(body) = json {
        stream.write_all(body.as_bytes()).await?;
    }
    read_reply(&mut stream).await
}

/// The request line and headers of a request with a JSON body of `length`.
pub fn head(method: &str, path: &str, token: Option<&str>, length: usize) -> String {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if length > 0 {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {length}\r\n"
        ));
    }
    head.push_str("\r\n");
    head
}

/// Reads a whole response from a `Connection: close` exchange.
pub async fn read_reply(stream: &mut TcpStream) -> std::io::Result<Reply> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {text:?}")))?;
    Ok(Reply {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    })
}
