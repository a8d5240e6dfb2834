//! (e) Live updates across instances: dashboards held open on a second
//! server instance (their event streams), saves landing on the first, and
//! the time from a save to its event at the second instance. Each open
//! dashboard fetches its page again when an event arrives, as the page's
//! script does, so the second instance carries what the streams bring.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::http::{HttpError, Session};
use crate::load::Sample;

/// Every `ratings` event the open dashboards heard: (inspection, when).
type Heard = Arc<Mutex<Vec<(i64, Instant)>>>;

/// Dashboards open on an instance: one event stream each.
pub struct OpenDashboards {
    tasks: Vec<JoinHandle<Vec<Sample>>>,
    heard: Heard,
    stop: watch::Sender<bool>,
}

impl OpenDashboards {
    /// Opens the dashboard of each of `inspections` (repeats allowed) as
    /// `session`, at the instance the session points to.
    pub async fn open(session: &Session, inspections: &[i64]) -> Result<Self, HttpError> {
        let heard: Heard = Arc::default();
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        for &inspection in inspections {
            let body = session
                .events(&format!("/inspections/{inspection}/ratings/events"))
                .await?;
            tasks.push(tokio::spawn(follow(
                session.clone(),
                inspection,
                body,
                heard.clone(),
                stopped.clone(),
            )));
        }
        Ok(OpenDashboards { tasks, heard, stop })
    }

    /// Closes every stream; the samples of the pages fetched on events.
    pub async fn close(self) -> Vec<Sample> {
        let _ = self.stop.send(true);
        let mut samples = Vec::new();
        for task in self.tasks {
            match task.await {
                Ok(s) => samples.extend(s),
                Err(e) => samples.push(("refetch", Err(format!("stream panicked: {e}")))),
            }
        }
        samples
    }

    /// When the `listeners` dashboards of `inspection` had all heard an
    /// event sent after `since`, if they did within `wait`.
    async fn all_heard(
        &self,
        inspection: i64,
        since: Instant,
        listeners: usize,
        wait: Duration,
    ) -> Option<Instant> {
        let deadline = Instant::now() + wait;
        loop {
            {
                let heard = self.heard.lock().expect("heard");
                let times: Vec<Instant> = heard
                    .iter()
                    .filter(|(i, at)| *i == inspection && *at >= since)
                    .map(|(_, at)| *at)
                    .collect();
                if times.len() >= listeners {
                    return times.into_iter().max();
                }
            }
            if Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

/// Reads one dashboard's stream until stopped: each `ratings` event is
/// recorded, then the page is fetched again (timed, as "refetch").
async fn follow(
    mut session: Session,
    inspection: i64,
    mut body: hyper::body::Incoming,
    heard: Heard,
    mut stopped: watch::Receiver<bool>,
) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut pending = String::new();
    loop {
        let frame = tokio::select! {
            _ = stopped.changed() => break,
            frame = body.frame() => frame,
        };
        let Some(Ok(frame)) = frame else {
            samples.push(("refetch", Err("the event stream ended".to_owned())));
            break;
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        pending.push_str(&String::from_utf8_lossy(&data));
        // Events end with a blank line; count the whole ones.
        while let Some(end) = pending.find("\n\n") {
            let event: String = pending.drain(..end + 2).collect();
            if event.contains("event: ratings") {
                heard
                    .lock()
                    .expect("heard")
                    .push((inspection, Instant::now()));
                let started = Instant::now();
                let result = match session
                    .get(&format!("/inspections/{inspection}/ratings"))
                    .await
                {
                    Ok(reply) if reply.status == hyper::StatusCode::OK => Ok(started.elapsed()),
                    Ok(reply) => Err(format!("refetch answered {}", reply.status)),
                    Err(e) => Err(e.to_string()),
                };
                samples.push(("refetch", result));
            }
        }
    }
    samples
}

/// Saves one case of the probe's inspection every `every` for `duration`
/// through `marker` (at the first instance), alternating its first key
/// question between Yes and No so that every save changes the figures, and
/// times each from the moment it was sent until the last of the probe's
/// `listeners` dashboards (at the second instance) heard of it. The time
/// includes the save itself: it bounds commit-to-event from above.
pub async fn probe(
    marker: &mut Session,
    (inspection, case): (i64, i64),
    dashboards: &OpenDashboards,
    listeners: usize,
    every: Duration,
    duration: Duration,
) -> Vec<Sample> {
    let end = Instant::now() + duration;
    let mut samples = Vec::new();
    let mut n = 0;
    while Instant::now() < end {
        let answer = if n % 2 == 0 { "no" } else { "yes" };
        n += 1;
        let csrf = marker.csrf.clone();
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("kq-2.1.1", answer),
            ("rationale-2.1.1", "Benchmark probe."),
            ("kq-2.1.2", "yes"),
            ("kq-2.1.3", "yes"),
        ];
        let sent = Instant::now();
        let saved = marker
            .post(&format!("/cases/{case}/standards/2.1"), &fields)
            .await;
        let result = match saved {
            Ok(reply) if reply.status == hyper::StatusCode::SEE_OTHER => dashboards
                .all_heard(inspection, sent, listeners, Duration::from_secs(5))
                .await
                .map(|at| at - sent)
                .ok_or_else(|| "no event within 5 s".to_owned()),
            Ok(reply) => Err(format!("probe save answered {}", reply.status)),
            Err(e) => Err(e.to_string()),
        };
        samples.push(("event", result));
        tokio::time::sleep_until((sent + every).into()).await;
    }
    samples
}
