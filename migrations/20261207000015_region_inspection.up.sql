-- Region inspections (docs/rating-rules.md, "Region inspections"): an
-- inspection of a probation region rather than one PDU, under a framework
-- of level 'region'. Most of its standards are pooled from the region's PDU
-- inspections, chosen when it is set up (region_pool); the rest are judged
-- from evidence or marked on cases of its own, as a PDU inspection's are.

-- Which kind of inspection a framework version is for.
alter table framework_version
    add column level text not null default 'pdu' check (level in ('pdu', 'region')),
    add constraint framework_version_level_key unique (id, level);

-- Kinds of case a framework marks (a PDU's court reports and resettlement
-- cases, a region's unpaid work and victim work), in the file's order. A
-- case's type is one of its facts, so question sets can choose by it.
create table framework_case_type (
    framework_version_id integer not null references framework_version (id),
    code text not null check (code ~ '^[a-z][a-z0-9_]*$'),
    name text not null check (length(name) between 1 and 200),
    position smallint not null,
    primary key (framework_version_id, code)
);
create trigger framework_in_use before update or delete on framework_case_type
    for each row execute function framework_in_use();

-- A standard marked on a PDU's cases but rated only where a region
-- inspection pools it (court work, resettlement): rated = false keeps it
-- out of the PDU's own ratings.
alter table standard disable trigger framework_in_use;
alter table standard add column rated boolean not null default true;
alter table standard enable trigger framework_in_use;

-- A region key question counted from the PDU key question of this code in
-- every pooled inspection (yes, no and N/A summed).
alter table key_question disable trigger framework_in_use;
alter table key_question add column pooled_from text check (pooled_from ~ '^[0-9A-Za-z._-]{1,20}$');
alter table key_question enable trigger framework_in_use;

alter table sample_case add column case_type text check (case_type ~ '^[a-z][a-z0-9_]*$');

-- An inspection is of a PDU (pdu_id) or of a region (no PDU); either way it
-- has a region, which for a PDU inspection is its PDU's (set by the trigger
-- below and held by the foreign key). Its level matches its framework's.
create unique index pdu_id_region_key on pdu (id, region_id);
alter table inspection
    add column region_id smallint references region (id),
    alter column pdu_id drop not null;
update inspection i set region_id = p.region_id from pdu p where p.id = i.pdu_id;
alter table inspection
    alter column region_id set not null,
    add constraint inspection_pdu_region_fkey foreign key (pdu_id, region_id) references pdu (id, region_id),
    add column level text not null generated always as (case when pdu_id is null then 'region' else 'pdu' end) stored,
    add constraint inspection_framework_level_fkey foreign key (framework_version_id, level)
        references framework_version (id, level);
create index inspection_region_idx on inspection (region_id);

create function inspection_region_of_pdu() returns trigger
language plpgsql as $$
begin
    if new.pdu_id is not null then
        new.region_id := (select region_id from pdu where id = new.pdu_id);
    end if;
    return new;
end
$$;
create trigger inspection_region before insert or update of pdu_id on inspection
    for each row execute function inspection_region_of_pdu();

-- The PDU inspections a region inspection pools, chosen when it is set up.
create table region_pool (
    region_inspection_id bigint not null references inspection (id) on delete cascade,
    pdu_inspection_id bigint not null references inspection (id),
    primary key (region_inspection_id, pdu_inspection_id)
);
create index region_pool_pdu_idx on region_pool (pdu_inspection_id);

-- A region inspection's cached ratings rest on its PDU inspections' tallies
-- too: a change to those makes it stale as well.
create or replace function key_question_tally_stale() returns trigger
language plpgsql as $$
begin
    update inspection_summary set version = version + 1
    where inspection_id in (select distinct inspection_id from changed
                            union
                            select p.region_inspection_id from region_pool p
                            where p.pdu_inspection_id in (select inspection_id from changed));
    return null;
end
$$;
