-- One row per inspection for the lists (the national table and a region's
-- page), so that listing 2,000 inspections reads 2,000 rows rather than
-- counting 120,000 cases and 24,000 key-question tallies.
--
-- Case counts are kept exactly by triggers. The seven standard ratings are
-- computed by the application (the rules live in Rust, crates/rules) and
-- cached here: every change they rest on (a key-question tally, a domain one
-- rating) bumps `version`, and a reader that finds `rated_version` behind
-- recomputes and stores them. A stale cache is therefore never shown.
--
-- Writers lock the inspection row first (FOR NO KEY UPDATE, see
-- db::inspections::status_for_write), so the updates here are always taken
-- in the same order and concurrent writers cannot deadlock on this row.
create table inspection_summary (
    inspection_id bigint primary key references inspection (id) on delete cascade,
    cases_total integer not null default 0 check (cases_total >= 0),
    cases_complete integer not null default 0 check (cases_complete >= 0),
    version bigint not null default 1,
    rated_version bigint not null default 0,
    -- Rating codes of the framework's standards in order; null where unrated.
    ratings text[]
);

insert into inspection_summary (inspection_id, cases_total, cases_complete)
select i.id,
       (select count(*) from sample_case c where c.inspection_id = i.id),
       (select count(*) from sample_case c where c.inspection_id = i.id and c.marking_status = 'complete')
from inspection i;

create function inspection_summary_create() returns trigger
language plpgsql as $$
begin
    insert into inspection_summary (inspection_id) values (new.id);
    return null;
end
$$;
create trigger summary_create after insert on inspection
    for each row execute function inspection_summary_create();

create function sample_case_count() returns trigger
language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        update inspection_summary
        set cases_total = cases_total - 1,
            cases_complete = cases_complete - (old.marking_status = 'complete')::integer
        where inspection_id = old.inspection_id;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        update inspection_summary
        set cases_total = cases_total + 1,
            cases_complete = cases_complete + (new.marking_status = 'complete')::integer
        where inspection_id = new.inspection_id;
    end if;
    return null;
end
$$;
create trigger summary_count after insert or delete on sample_case
    for each row execute function sample_case_count();
create trigger summary_count_status after update of marking_status, inspection_id on sample_case
    for each row
    when (old.marking_status is distinct from new.marking_status
          or old.inspection_id is distinct from new.inspection_id)
    execute function sample_case_count();

create function key_question_tally_stale() returns trigger
language plpgsql as $$
begin
    update inspection_summary set version = version + 1
    where inspection_id in (select distinct inspection_id from changed);
    return null;
end
$$;
create trigger summary_stale_insert after insert on key_question_tally
    referencing new table as changed for each statement execute function key_question_tally_stale();
create trigger summary_stale_update after update on key_question_tally
    referencing new table as changed for each statement execute function key_question_tally_stale();

create function domain_one_rating_stale() returns trigger
language plpgsql as $$
begin
    update inspection_summary set version = version + 1
    where inspection_id = coalesce(new.inspection_id, old.inspection_id);
    return null;
end
$$;
create trigger summary_stale after insert or update or delete on domain_one_rating
    for each row execute function domain_one_rating_stale();
