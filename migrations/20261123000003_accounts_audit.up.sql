-- Accounts, sessions, API tokens, inspection membership, case assignment,
-- lost-update revisions and the append-only audit trail.

create table app_user (
    id bigint generated always as identity primary key,
    -- Stored lower-cased so that sign-in and uniqueness ignore case.
    email text not null check (email = lower(btrim(email)) and length(email) between 3 and 254
                               and position('@' in email) > 1),
    display_name text not null check (length(display_name) between 1 and 200),
    password_hash text not null,
    -- The user's default role; membership of an inspection carries its own.
    role text not null check (role in ('administrator', 'lead', 'inspector', 'viewer')),
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index app_user_email_key on app_user (email);

-- Sessions live in PostgreSQL so that they survive a restart and are shared by
-- every app instance. The cookie holds a random id; only its SHA-256 is kept.
create table user_session (
    id_hash bytea primary key,
    user_id bigint not null references app_user (id) on delete cascade,
    csrf_token text not null,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index user_session_user_idx on user_session (user_id);

create table api_token (
    id bigint generated always as identity primary key,
    user_id bigint not null references app_user (id) on delete cascade,
    token_hash bytea not null unique,
    label text not null check (length(label) between 1 and 200),
    last_used_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index api_token_user_idx on api_token (user_id);

-- Failed sign-ins by account ('account:<email>') and by client address
-- ('address:<ip>'); cleared by a successful sign-in of that account.
create table sign_in_throttle (
    key text primary key,
    failures integer not null check (failures >= 0),
    locked_until timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table membership (
    inspection_id bigint not null references inspection (id) on delete cascade,
    user_id bigint not null references app_user (id),
    role text not null check (role in ('lead', 'inspector', 'viewer')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (inspection_id, user_id)
);
create index membership_user_idx on membership (user_id);

alter table inspection add column created_by bigint references app_user (id);
alter table sample_case add column assigned_to bigint references app_user (id);
-- Incremented by every change to the case, so a form loaded at revision n can
-- tell whether someone saved the case since.
alter table sample_case add column revision bigint not null default 0;
create index sample_case_assigned_idx on sample_case (assigned_to);

create table audit_event (
    id bigint generated always as identity primary key,
    at timestamptz not null default now(),
    -- Null for changes made outside a signed-in session (the CLI, the demo).
    actor_id bigint references app_user (id),
    actor text not null,
    inspection_id bigint not null references inspection (id),
    case_id bigint references sample_case (id),
    -- The case revision this change produced.
    case_revision bigint,
    entity text not null check (entity in ('inspection', 'case', 'case_fact', 'judgement', 'rationale',
                                           'prompt', 'outcome', 'domain_one', 'assignment',
                                           'membership', 'status')),
    -- Framework code ('2.1.3', '2.1.3.b', '1.1') or fact name ('office').
    code text,
    -- The standard a change belongs to ('2.1'), for filtering.
    standard text,
    -- Which part changed: 'answer', 'rationale', 'rating', 'strengths', ...
    field text,
    old_value text,
    new_value text,
    reason text,
    created_at timestamptz not null default now()
);
create index audit_event_inspection_idx on audit_event (inspection_id, id);
create index audit_event_case_idx on audit_event (case_id, id);

-- Append-only, whoever asks: the trail is evidence.
create function audit_event_is_append_only() returns trigger
language plpgsql as $$
begin
    raise exception 'audit events cannot be changed or removed' using errcode = 'insufficient_privilege';
end
$$;
create trigger audit_event_append_only before update or delete on audit_event
    for each row execute function audit_event_is_append_only();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_event_is_append_only();

do $$
declare
    t text;
begin
    foreach t in array array['app_user', 'user_session', 'api_token', 'sign_in_throttle', 'membership']
    loop
        execute format('create trigger set_updated_at before update on %I
                        for each row execute function set_updated_at()', t);
    end loop;
end
$$;
