//! A per-process memory of who the recent sessions and API tokens belong
//! to, so a request's gate needs no database round trip (and no second
//! pool checkout) to know who is asking: the handler's connection is the
//! request's only one. docs/architecture.md has the measurements behind it.
//!
//! It can never be more than briefly wrong:
//!
//! - The database notifies every process of every change that matters
//!   (migration 0008: a session changed or ended, a user's role, activity
//!   or tokens changed), from triggers, so no code path can forget to. A
//!   listener task on its own connection (outside the request pool) forgets
//!   the entries concerned as the notification arrives.
//! - While the listener is not listening (starting, or its connection
//!   lost), nothing is remembered or served from memory: every request asks
//!   the database, as if there were no cache. When it listens again the
//!   memory starts empty, because notifications sent meanwhile are lost.
//! - An entry is served only while its session was seen active within the
//!   last minute (the interval at which activity is written back) and
//!   within its absolute limit; then the database is asked again.
//! - A forgetting that happens while a request is reading the database
//!   stops that request from remembering what it read (`Ticket`).
//! - This process also forgets at once what its own handlers change
//!   (sign-out, the banner message), not waiting for the notification.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::db::accounts::{AuthChange, User};
use crate::db::sessions::SessionRow;

/// How long a remembered token serves before the database is asked again
/// (which also records when the token was last used).
const TOKEN_SECONDS: u64 = 60;
/// Session activity is written back at most this often (see
/// `session::resolve`); an entry serves no longer than that.
const TOUCH_SECONDS: i64 = 60;
/// A bound on memory: past this many entries, the memory starts again.
const MAX_ENTRIES: usize = 20_000;

#[derive(Debug, Default)]
pub struct AuthCache {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Whether the listener is listening: only then is anything served.
    live: bool,
    /// Bumped by every forgetting, so a read that overlapped one is not kept.
    generation: u64,
    sessions: HashMap<Vec<u8>, (SessionRow, User)>,
    tokens: HashMap<Vec<u8>, (User, Instant)>,
}

/// Taken before reading the database: what was read may be kept only if
/// nothing was forgotten meanwhile.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(Option<u64>);

impl AuthCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The session (and its active user) remembered for this cookie hash,
    /// if it may be served without asking the database.
    pub fn session(&self, hash: &[u8], absolute: chrono::Duration) -> Option<(SessionRow, User)> {
        let state = self.lock();
        if !state.live {
            return None;
        }
        let (session, user) = state.sessions.get(hash)?;
        let now = Utc::now();
        let fresh = now - session.last_seen_at < chrono::Duration::seconds(TOUCH_SECONDS)
            && now - session.created_at < absolute;
        fresh.then(|| (session.clone(), user.clone()))
    }

    /// The active user of a token hash, if remembered and fresh.
    pub fn token(&self, hash: &[u8]) -> Option<User> {
        let state = self.lock();
        if !state.live {
            return None;
        }
        let (user, read_at) = state.tokens.get(hash)?;
        (read_at.elapsed() < Duration::from_secs(TOKEN_SECONDS)).then(|| user.clone())
    }

    pub fn ticket(&self) -> Ticket {
        let state = self.lock();
        Ticket(state.live.then_some(state.generation))
    }

    fn keepable(state: &mut State, ticket: Ticket) -> bool {
        if ticket.0 != Some(state.generation) || !state.live {
            return false;
        }
        if state.sessions.len() + state.tokens.len() >= MAX_ENTRIES {
            state.sessions.clear();
            state.tokens.clear();
        }
        true
    }

    pub fn keep_session(&self, ticket: Ticket, hash: Vec<u8>, session: SessionRow, user: User) {
        let mut state = self.lock();
        if Self::keepable(&mut state, ticket) {
            state.sessions.insert(hash, (session, user));
        }
    }

    pub fn keep_token(&self, ticket: Ticket, hash: Vec<u8>, user: User) {
        let mut state = self.lock();
        if Self::keepable(&mut state, ticket) {
            state.tokens.insert(hash, (user, Instant::now()));
        }
    }

    /// Forgets what a change makes wrong. The listener calls it for every
    /// notification; the handlers of this process call it too, right after
    /// their own change commits, so their next page does not wait for the
    /// notification.
    pub fn forget(&self, change: &AuthChange) {
        let mut state = self.lock();
        state.generation += 1;
        match change {
            AuthChange::Session(hash) => {
                state.sessions.remove(hash);
            }
            AuthChange::User(id) => {
                state.sessions.retain(|_, (_, user)| user.id != *id);
                state.tokens.retain(|_, (user, _)| user.id != *id);
            }
        }
    }

    /// Starts serving from memory (the listener is listening) or stops
    /// (it is not); either way the memory starts empty.
    pub fn set_live(&self, live: bool) {
        let mut state = self.lock();
        state.generation += 1;
        state.live = live;
        state.sessions.clear();
        state.tokens.clear();
    }

    pub fn is_live(&self) -> bool {
        self.lock().live
    }

    /// How many forgettings there have been: a test that changes the
    /// database behind the app's back waits for this to move on.
    pub fn forgettings(&self) -> u64 {
        self.lock().generation
    }
}

/// The channel migration 0008's triggers notify.
pub const CHANNEL: &str = "casemark_auth";

/// Listens for changes for as long as the process runs, on a connection of
/// its own (not the request pool's), reconnecting with a growing pause when
/// the database goes away.
pub async fn listen(database_url: String, cache: std::sync::Arc<AuthCache>) {
    let mut pause = Duration::from_millis(250);
    loop {
        match sqlx::postgres::PgListener::connect(&database_url).await {
            Ok(mut listener) => {
                if let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "auth listener could not listen");
                } else {
                    cache.set_live(true);
                    pause = Duration::from_millis(250);
                    follow(&mut listener, &cache).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "auth listener could not connect"),
        }
        cache.set_live(false);
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(10));
    }
}

/// Applies notifications until the connection is lost (and not at once
/// re-established, or re-established after losing some).
async fn follow(listener: &mut sqlx::postgres::PgListener, cache: &AuthCache) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => match AuthChange::parse(notification.payload()) {
                Some(change) => cache.forget(&change),
                None => tracing::warn!(payload = notification.payload(), "unknown auth change"),
            },
            // The connection was lost and made again: what was sent in
            // between is lost, so the memory starts again.
            Ok(None) => {
                tracing::warn!("auth listener reconnected; forgetting every session");
                cache.set_live(true);
            }
            Err(e) => {
                tracing::warn!(error = %e, "auth listener lost its connection");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::UserRole;

    fn entry(user_id: i64, seen_seconds_ago: i64) -> (SessionRow, User) {
        let now = Utc::now();
        (
            SessionRow {
                user_id,
                csrf_token: "t".into(),
                created_at: now - chrono::Duration::hours(1),
                last_seen_at: now - chrono::Duration::seconds(seen_seconds_ago),
                flash: None,
            },
            User {
                id: user_id,
                email: "a@b.uk".into(),
                display_name: "A".into(),
                role: UserRole::Inspector,
                active: true,
                demo: false,
            },
        )
    }

    const DAY: chrono::Duration = chrono::Duration::hours(12);

    #[test]
    fn nothing_is_served_until_the_listener_listens() {
        let cache = AuthCache::default();
        let (s, u) = entry(1, 0);
        cache.keep_session(cache.ticket(), vec![1], s.clone(), u.clone());
        assert!(cache.session(&[1], DAY).is_none());
        cache.set_live(true);
        cache.keep_session(cache.ticket(), vec![1], s, u);
        assert!(cache.session(&[1], DAY).is_some());
        cache.set_live(false);
        assert!(cache.session(&[1], DAY).is_none());
    }

    #[test]
    fn a_forgetting_during_a_read_stops_it_being_kept() {
        let cache = AuthCache::default();
        cache.set_live(true);
        let ticket = cache.ticket();
        cache.forget(&AuthChange::Session(vec![9]));
        let (s, u) = entry(1, 0);
        cache.keep_session(ticket, vec![1], s, u);
        assert!(cache.session(&[1], DAY).is_none());
    }

    #[test]
    fn changes_forget_what_they_concern() {
        let cache = AuthCache::default();
        cache.set_live(true);
        for (hash, user) in [(1u8, 10), (2, 10), (3, 11)] {
            let (s, u) = entry(user, 0);
            cache.keep_session(cache.ticket(), vec![hash], s, u.clone());
            cache.keep_token(cache.ticket(), vec![100 + hash], u);
        }
        cache.forget(&AuthChange::User(10));
        assert!(cache.session(&[1], DAY).is_none() && cache.session(&[2], DAY).is_none());
        assert!(cache.token(&[101]).is_none() && cache.token(&[102]).is_none());
        assert!(cache.session(&[3], DAY).is_some() && cache.token(&[103]).is_some());
        cache.forget(&AuthChange::Session(vec![3]));
        assert!(cache.session(&[3], DAY).is_none());
    }

    #[test]
    fn a_session_not_seen_for_a_minute_is_asked_for_again() {
        let cache = AuthCache::default();
        cache.set_live(true);
        let (s, u) = entry(1, 61);
        cache.keep_session(cache.ticket(), vec![1], s, u);
        assert!(cache.session(&[1], DAY).is_none());
        let (s, u) = entry(1, 0);
        cache.keep_session(cache.ticket(), vec![2], s, u);
        assert!(cache.session(&[2], chrono::Duration::minutes(30)).is_none());
    }
}
