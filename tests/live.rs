//! Live updates (docs/architecture.md, "Live updates"): an inspection's
//! event stream, open on one instance, hears a save committed through
//! another instance (a real second server process on the same database),
//! and hears nothing for a refused save or another inspection's.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::process::{Server, send, send_form};
use crate::support::{Built, TestApp, build};
use casemark::vocab::UserRole;

/// An open event stream: what has arrived so far.
pub(crate) struct Stream {
    pub(crate) socket: TcpStream,
    /// Everything received, the response's head included.
    all: String,
    /// What is not yet read as an event.
    seen: String,
}

impl Stream {
    /// A stream for an integration, with its bearer token.
    async fn open(addr: &str, path: &str, token: &str) -> Stream {
        Stream::open_as(addr, path, &format!("Authorization: Bearer {token}")).await
    }

    /// A stream a page opens, with its session cookie (`name=value`).
    pub(crate) async fn open_for_page(addr: &str, path: &str, session: &str) -> Stream {
        Stream::open_as(addr, path, &format!("Cookie: {session}")).await
    }

    /// `credentials`: the header line that says who asks.
    async fn open_as(addr: &str, path: &str, credentials: &str) -> Stream {
        let mut socket = TcpStream::connect(addr).await.expect("connect");
        let head = format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\
             {credentials}\r\n\r\n"
        );
        socket.write_all(head.as_bytes()).await.expect("request");
        let mut stream = Stream {
            socket,
            all: String::new(),
            seen: String::new(),
        };
        let first = stream.next_event(Duration::from_secs(5)).await;
        assert_eq!(first.as_deref(), Some("ready"), "{}", stream.seen);
        assert!(stream.all.starts_with("HTTP/1.1 200"), "{}", stream.seen);
        assert!(
            stream.all.contains("content-type: text/event-stream"),
            "{}",
            stream.all
        );
        stream
    }

    /// The name of the next event, if one arrives within `wait`.
    pub(crate) async fn next_event(&mut self, wait: Duration) -> Option<String> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(at) = self.seen.find("event: ") {
                let rest = &self.seen[at + 7..];
                if let Some(end) = rest.find('\n') {
                    let name = rest[..end].trim().to_owned();
                    self.seen = rest[end..].to_owned();
                    return Some(name);
                }
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            let mut buffer = [0u8; 4096];
            match tokio::time::timeout(left, self.socket.read(&mut buffer)).await {
                Ok(Ok(n)) if n > 0 => {
                    let text = String::from_utf8_lossy(&buffer[..n]);
                    self.all.push_str(&text);
                    self.seen.push_str(&text);
                }
                _ => return None,
            }
        }
    }
}

#[tokio::test]
async fn a_save_through_another_instance_reaches_an_open_stream() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let Built { id, cases } = build(&lead.server)
        .case(json!({"reference": "L1", "sentence_type": "licence"}))
        .case(json!({"reference": "L2", "sentence_type": "licence"}))
        .status("fieldwork")
        .await_built()
        .await;
    let other = crate::support::inspection(
        &lead.server,
        "Luton",
        "East of England",
        "2026-01-05",
        "fieldwork",
    )
    .await;
    let other_case = crate::support::add_case(&lead.server, other, "O1", "licence").await;

    let first = app.serve().await;
    let first = first.trim_start_matches("http://");
    let mut stream = Stream::open(
        first,
        &format!("/api/v1/inspections/{id}/events"),
        &lead.token,
    )
    .await;
    let second = Server::start(&app.database_url()).await;

    // A save through the second instance: one event on the first.
    let started = Instant::now();
    let saved = send(
        &second.addr,
        "PUT",
        &format!("/api/v1/cases/{}/judgements", cases[0]),
        Some(&lead.token),
        Some(r#"{"key_questions": {"2.1.1": "yes", "2.1.2": "no", "2.1.3": "yes"}}"#),
    )
    .await
    .expect("save");
    assert_eq!(saved.status, 200);
    assert_eq!(
        stream.next_event(Duration::from_secs(5)).await.as_deref(),
        Some("ratings")
    );
    eprintln!(
        "commit to event at the other instance: {:?}",
        started.elapsed()
    );
    // One save is one event, though it bumped the figures several times.
    assert_eq!(stream.next_event(Duration::from_millis(700)).await, None);

    // A refused save writes nothing and notifies nobody; nor does a save
    // to another inspection reach this one's stream.
    let refused = send(
        &second.addr,
        "PUT",
        &format!("/api/v1/cases/{}/judgements", cases[1]),
        Some(&lead.token),
        Some(r#"{"key_questions": {"2.1.1": "yes", "9.9.9": "no"}}"#),
    )
    .await
    .expect("refused");
    assert_eq!(refused.status, 422);
    let elsewhere = send(
        &second.addr,
        "PUT",
        &format!("/api/v1/cases/{other_case}/judgements"),
        Some(&lead.token),
        Some(r#"{"key_questions": {"2.1.1": "yes"}}"#),
    )
    .await
    .expect("other inspection");
    assert_eq!(elsewhere.status, 200);
    assert_eq!(stream.next_event(Duration::from_millis(700)).await, None);

    // Without asking for a stream, the address answers 406, not a body
    // that never ends.
    let plain = send(
        first,
        "GET",
        &format!("/api/v1/inspections/{id}/events"),
        Some(&lead.token),
        None,
    )
    .await
    .expect("plain GET");
    assert_eq!(plain.status, 406);

    // SIGTERM ends the instance's open streams, so they do not hold its
    // graceful shutdown (35 s): it exits at once.
    let mut second = second;
    let mut on_second = Stream::open(
        &second.addr,
        &format!("/api/v1/inspections/{id}/events"),
        &lead.token,
    )
    .await;
    let stopping = Instant::now();
    second.signal("TERM");
    let mut rest = Vec::new();
    let ended = tokio::time::timeout(
        Duration::from_secs(10),
        on_second.socket.read_to_end(&mut rest),
    )
    .await;
    assert!(ended.is_ok(), "the stream ended");
    let exited = loop {
        if let Ok(Some(status)) = second.child.try_wait() {
            break Some(status);
        }
        if stopping.elapsed() > Duration::from_secs(10) {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        exited.is_some_and(|s| s.success()),
        "exited cleanly within 10 s"
    );
}

/// A marking form open while someone else saves the case: its stream hears
/// the save through another instance, and the notice says what changed
/// since the form's revision, worded as the lost-update refusal words it.
#[tokio::test]
async fn an_open_case_form_hears_a_save_through_another_instance_and_what_changed() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let Built { cases, .. } = build(&lead.server)
        .case(json!({"reference": "W1", "sentence_type": "licence"}))
        .case(json!({"reference": "W2", "sentence_type": "licence"}))
        .status("fieldwork")
        .await_built()
        .await;
    let first = app.serve().await;
    let first = first.trim_start_matches("http://");
    let (session, _) = crate::instances::sign_in_at(first, "lead@example.gov.uk").await;
    let form = send_form(
        first,
        "GET",
        &format!("/cases/{}/standards/2.1", cases[0]),
        &[("Cookie", &session)],
        None,
    )
    .await
    .expect("form");
    let revision = crate::support::hidden_value(&form.body, "revision");
    assert!(form.body.contains("data-module=\"casemark-case-watch\""));
    let changes = format!("/cases/{}/changes?since={revision}", cases[0]);
    let nothing = send_form(first, "GET", &changes, &[("Cookie", &session)], None)
        .await
        .expect("no changes");
    assert_eq!(nothing.status, 204);
    // A revision that is not a number is a plain refusal, not a failure.
    let junk = send_form(
        first,
        "GET",
        &format!("/cases/{}/changes?since=junk", cases[0]),
        &[("Cookie", &session)],
        None,
    )
    .await
    .expect("junk");
    assert_eq!(junk.status, 400, "{}", junk.body);
    let mut stream =
        Stream::open_for_page(first, &format!("/cases/{}/events", cases[0]), &session).await;

    let second = Server::start(&app.database_url()).await;
    // Another case's save is not this form's business.
    let other = send(
        &second.addr,
        "PUT",
        &format!("/api/v1/cases/{}/judgements", cases[1]),
        Some(&lead.token),
        Some(r#"{"key_questions": {"2.1.1": "yes"}}"#),
    )
    .await
    .expect("other case");
    assert_eq!(other.status, 200);
    assert_eq!(stream.next_event(Duration::from_millis(700)).await, None);
    let saved = send(
        &second.addr,
        "PUT",
        &format!("/api/v1/cases/{}/judgements", cases[0]),
        Some(&lead.token),
        Some(r#"{"key_questions": {"2.1.1": "no"}}"#),
    )
    .await
    .expect("save");
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(
        stream.next_event(Duration::from_secs(5)).await.as_deref(),
        Some("saved")
    );
    let notice = send_form(first, "GET", &changes, &[("Cookie", &session)], None)
        .await
        .expect("the notice");
    assert_eq!(notice.status, 200);
    assert!(
        notice
            .body
            .contains("This case was saved elsewhere while you had it open"),
        "{}",
        notice.body
    );
    assert!(
        notice
            .body
            .contains("changed 2.1.1 answer from nothing to no"),
        "{}",
        notice.body
    );
}

/// A database restart under open streams: the instance's listener loses
/// its connection, reconnects (with its backoff), and tells every stream
/// to resynchronise, since notifications may have been missed; saves after
/// the restart reach the stream again.
#[tokio::test]
async fn after_a_database_restart_open_streams_resync_and_hear_saves_again() {
    use crate::support::cluster::Cluster;
    let cluster = Cluster::start();
    let url = cluster.url("casemark");
    let pool = casemark::db::prepare(&url, 2)
        .await
        .expect("migrated on the throwaway cluster");
    let (setup, token) = crate::support::cluster::lead_api_on(&pool).await;
    let Built { id, cases } = build(&setup)
        .case(json!({"reference": "D1", "sentence_type": "licence"}))
        .status("fieldwork")
        .await_built()
        .await;
    pool.close().await;

    let server = Server::start(&url).await;
    let events = format!("/api/v1/inspections/{id}/events");
    let mut stream = Stream::open(&server.addr, &events, &token).await;
    cluster.crash();
    cluster.up();
    assert_eq!(
        stream.next_event(Duration::from_secs(30)).await.as_deref(),
        Some("resync"),
        "a resync after the restart"
    );
    let save = format!("/api/v1/cases/{}/judgements", cases[0]);
    let started = Instant::now();
    let saved = loop {
        // The pool may take a moment to reconnect too.
        let reply = send(
            &server.addr,
            "PUT",
            &save,
            Some(&token),
            Some(r#"{"key_questions": {"2.1.1": "yes"}}"#),
        )
        .await
        .expect("save");
        if reply.status == 200 || started.elapsed() > Duration::from_secs(20) {
            break reply;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(
        stream.next_event(Duration::from_secs(5)).await.as_deref(),
        Some("ratings")
    );
}
