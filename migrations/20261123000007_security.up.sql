-- Security hardening (issue 14): the security event trail, flash messages
-- kept in the session, owners of staff survey items, and ASCII-only email
-- addresses (so Rust and PostgreSQL cannot disagree about their case).

-- Administrative and security events: who did what to which account, PDU or
-- token, and for sign-in events the client address. Never a password or a
-- token. Append-only like audit_event (which names an inspection; these
-- events belong to none).
create table security_event (
    id bigint generated always as identity primary key,
    at timestamptz not null default now(),
    kind text not null check (kind in ('user_created', 'role_changed', 'user_deactivated',
                                       'user_reactivated', 'pdu_added', 'token_created',
                                       'token_revoked', 'signed_in', 'sign_in_failed', 'lockout',
                                       'password_changed')),
    -- Null for the command line, and for sign-in events (nobody is signed in yet).
    actor_id bigint references app_user (id),
    actor text not null,
    -- The account the event is about, when there is one.
    subject_id bigint references app_user (id),
    -- What it is about, as text: an email address (as typed, for a failed
    -- sign-in), a PDU, a token's label, a client address.
    subject text,
    detail text,
    client_address text,
    created_at timestamptz not null default now()
);
create index security_event_at_idx on security_event (at, id);
create index security_event_kind_idx on security_event (kind, at);

create trigger security_event_append_only before update or delete on security_event
    for each row execute function audit_event_is_append_only();
create trigger security_event_no_truncate before truncate on security_event
    for each statement execute function audit_event_is_append_only();

-- A message the server chose, shown once on the next page (the green
-- success banner): banners never show text from a URL.
alter table user_session add column flash text check (length(flash) <= 1000);

-- Who recorded a survey item: they or the lead may remove it. Items recorded
-- before this migration have no owner, so only the lead may remove them.
alter table staff_survey_item add column added_by bigint references app_user (id);

-- Addresses are stored as casemark::accounts::normalise_email makes them:
-- printable ASCII, lower case. Checked for new and changed rows only, so an
-- older database with another address still migrates.
alter table app_user add constraint app_user_email_ascii
    check (email ~ '^[!-~]+$' and email = lower(email)) not valid;
