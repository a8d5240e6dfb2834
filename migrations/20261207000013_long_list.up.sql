-- Drawing the case sample from the long list (docs/sampling.md). The list
-- is kept until its sample is drawn; then the names, dates of birth and
-- PNCs, which only the duplicate check needs, are wiped from every row.

create table long_list (
    inspection_id bigint primary key references inspection (id) on delete cascade,
    uploaded_by bigint references app_user (id),
    uploaded_at timestamptz not null default now()
);

create table long_list_case (
    inspection_id bigint not null references long_list (inspection_id) on delete cascade,
    row integer not null check (row >= 2),
    crn text not null check (length(crn) between 1 and 50),
    pnc text check (length(pnc) between 1 and 100),
    first_name text check (length(first_name) between 1 and 100),
    last_name text check (length(last_name) between 1 and 100),
    date_of_birth date,
    sex text check (sex in ('female', 'male')),
    sentence_type text not null check (sentence_type in ('community_order', 'licence')),
    rosh_level text check (rosh_level in ('low', 'medium', 'high', 'very_high')),
    office text not null check (length(office) between 1 and 200),
    practitioner text not null check (length(practitioner) between 1 and 200),
    start_date date,
    sensitive boolean not null,
    -- Once the sample is drawn: the row's stratum, whether it was drawn or
    -- is a reserve (and its place in the stratum's queue), and the case it
    -- became.
    stratum text,
    role text check (role in ('drawn', 'reserve')),
    reserve_position integer,
    case_id bigint references sample_case (id) on delete set null,
    primary key (inspection_id, row),
    check ((role = 'reserve') = (reserve_position is not null))
);

create table sample_draw (
    inspection_id bigint primary key references inspection (id) on delete cascade,
    size integer not null check (size >= 1),
    buffer_percent integer not null check (buffer_percent between 0 and 100),
    seed bigint not null check (seed >= 0),
    started_by date not null,
    shortfall integer not null check (shortfall >= 0),
    drawn_by bigint references app_user (id),
    drawn_at timestamptz not null default now()
);

-- A case drawn from the long list knows its stratum (for its replacement);
-- a replaced case stays, with the reason, but no longer counts.
alter table sample_case
    add column stratum text,
    add column replaced_at timestamptz,
    add column replaced_reason text check (length(replaced_reason) between 1 and 2000),
    add column replaced_by bigint references app_user (id),
    add column replacement_of bigint references sample_case (id),
    add constraint sample_case_replaced_has_reason
        check ((replaced_at is null) = (replaced_reason is null));

-- The sample's counts leave replaced cases out.
create or replace function sample_case_count() returns trigger
language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') and old.replaced_at is null then
        update inspection_summary
        set cases_total = cases_total - 1,
            cases_complete = cases_complete - (old.marking_status = 'complete')::integer
        where inspection_id = old.inspection_id;
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.replaced_at is null then
        update inspection_summary
        set cases_total = cases_total + 1,
            cases_complete = cases_complete + (new.marking_status = 'complete')::integer
        where inspection_id = new.inspection_id;
    end if;
    return null;
end
$$;
drop trigger summary_count_status on sample_case;
create trigger summary_count_status after update of marking_status, inspection_id, replaced_at on sample_case
    for each row
    when (old.marking_status is distinct from new.marking_status
          or old.inspection_id is distinct from new.inspection_id
          or old.replaced_at is distinct from new.replaced_at)
    execute function sample_case_count();
