//! Live updates (docs/architecture.md, "Live updates"): each instance keeps
//! one connection of its own listening on channel `casemark_live`, which
//! migration 0018's trigger notifies when a change to an inspection's
//! figures commits (and migration 0019's when a case is saved), and passes
//! each notification to the event streams of this instance
//! ([`Live::subscribe`]), whichever instance made the save.

use std::time::Duration;

use tokio::sync::broadcast;

/// The channel migrations 0018's and 0019's triggers notify.
pub const CHANNEL: &str = "casemark_live";

/// What an event stream hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// An inspection's figures changed (fetch them again).
    Inspection(i64),
    /// A case was saved (its revision moved on).
    Case(i64),
    /// Notifications may have been missed (the listener reconnected, or a
    /// slow stream fell behind): every page should fetch its figures again.
    Resync,
    /// The instance is stopping: streams end, so the graceful shutdown is
    /// not held up by them (an EventSource reconnects, through the proxy,
    /// to an instance still running).
    Closing,
}

/// The fan-out from the listener to this instance's streams.
#[derive(Debug)]
pub struct Live {
    sender: broadcast::Sender<Change>,
}

impl Default for Live {
    fn default() -> Self {
        // Enough for a burst of saves; a stream further behind resyncs.
        let (sender, _) = broadcast::channel(1024);
        Live { sender }
    }
}

impl Live {
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }

    fn publish(&self, change: Change) {
        // No stream open: nobody to tell.
        let _ = self.sender.send(change);
    }

    /// Ends every stream of this instance (on SIGTERM).
    pub fn close(&self) {
        self.publish(Change::Closing);
    }
}

/// Whether a request asks for an event stream (an EventSource sends
/// `Accept: text/event-stream`); the event endpoints answer nothing else
/// (406), so an ordinary GET never hangs on an endless body.
pub fn wants_stream(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(axum::http::header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/event-stream"))
}

/// "42" → inspection 42's figures changed; "case:7" → case 7 was saved.
pub fn parse(payload: &str) -> Option<Change> {
    let payload = payload.trim();
    match payload.strip_prefix("case:") {
        Some(case) => case.parse().ok().map(Change::Case),
        None => payload.parse().ok().map(Change::Inspection),
    }
}

/// What an event stream follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    /// An inspection's figures: `ratings` events (the dashboard).
    Inspection(i64),
    /// A case's saves: `saved` events (an open marking form).
    Case(i64),
}

impl Watched {
    fn hears(self, change: Change) -> bool {
        matches!(
            (self, change),
            (Watched::Inspection(a), Change::Inspection(b)) | (Watched::Case(a), Change::Case(b))
                if a == b
        )
    }

    /// The name of the event a change to it sends.
    fn event(self) -> &'static str {
        match self {
            Watched::Inspection(_) => "ratings",
            Watched::Case(_) => "saved",
        }
    }

    /// Every event's data: what the stream follows.
    fn data(self) -> String {
        match self {
            Watched::Inspection(id) => format!("{{\"inspection\":{id}}}"),
            Watched::Case(id) => format!("{{\"case\":{id}}}"),
        }
    }
}

/// An event stream: `ready` at once, then `ratings` (an inspection's
/// figures) or `saved` (a case) after each committed change to what it
/// follows, and `resync` when changes may have been missed; the page (or
/// integration) then fetches what it shows. A comment every 15 s keeps
/// proxies from closing a quiet stream.
pub fn stream(
    live: &Live,
    watched: Watched,
) -> axum::response::sse::Sse<
    impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>
    + use<>,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use tokio::sync::broadcast::error::RecvError;
    let data = watched.data();
    let event = move |name: &str| Ok(Event::default().event(name).data(data.clone()));
    let receiver = live.subscribe();
    let events = futures_util::stream::unfold((receiver, true), move |(mut receiver, first)| {
        let event = event.clone();
        async move {
            if first {
                return Some((event("ready"), (receiver, false)));
            }
            loop {
                match receiver.recv().await {
                    Ok(change @ (Change::Inspection(_) | Change::Case(_))) => {
                        if watched.hears(change) {
                            return Some((event(watched.event()), (receiver, false)));
                        }
                    }
                    Ok(Change::Resync) | Err(RecvError::Lagged(_)) => {
                        return Some((event("resync"), (receiver, false)));
                    }
                    Ok(Change::Closing) | Err(RecvError::Closed) => return None,
                }
            }
        }
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Listens for as long as the process runs, on a connection outside the
/// request pool. After a dropped connection or a database restart it waits
/// (250 ms, doubling to 8 s, so a restart is not met by a storm) and, once
/// listening again, tells every stream to resynchronise.
pub async fn listen(database_url: String, live: std::sync::Arc<Live>) {
    let mut pause = Duration::from_millis(250);
    let mut first = true;
    loop {
        match sqlx::postgres::PgListener::connect(&database_url).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => {
                    if !first {
                        live.publish(Change::Resync);
                    }
                    first = false;
                    pause = Duration::from_millis(250);
                    // sqlx's listener reconnects by itself and then yields
                    // again; a gap means missed notifications.
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(n)) => {
                                if let Some(change) = parse(n.payload()) {
                                    live.publish(change);
                                }
                            }
                            Ok(None) => {
                                tracing::warn!(
                                    "live listener lost its connection; resynchronising"
                                );
                                live.publish(Change::Resync);
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "live listener failed");
                                break;
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "live listener could not listen"),
            },
            Err(e) => tracing::warn!(error = %e, "live listener could not connect"),
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_name_an_inspection_or_a_case() {
        assert_eq!(parse("42"), Some(Change::Inspection(42)));
        assert_eq!(parse("case:42"), Some(Change::Case(42)));
        assert_eq!(parse("42:7"), None);
        assert_eq!(parse("case:x"), None);
        assert_eq!(parse("x"), None);
    }

    #[test]
    fn a_stream_hears_only_what_it_follows() {
        assert!(Watched::Inspection(1).hears(Change::Inspection(1)));
        assert!(!Watched::Inspection(1).hears(Change::Case(1)));
        assert!(!Watched::Inspection(1).hears(Change::Inspection(2)));
        assert!(Watched::Case(3).hears(Change::Case(3)));
        assert!(!Watched::Case(3).hears(Change::Inspection(3)));
    }
}
