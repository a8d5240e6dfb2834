-- The report draft (docs/report.md): the lead's recommendations, numbered
-- in order, and the rationales a marker or lead chose to quote in the
-- report under their standard's strengths (a Yes) or areas for
-- improvement (a No).

create table recommendation (
    id bigint generated always as identity primary key,
    inspection_id bigint not null references inspection (id) on delete cascade,
    position integer not null check (position >= 1),
    text text not null check (length(text) between 1 and 2000 and text = btrim(text)),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    -- Deferred, so a reorder can swap two positions in one statement.
    unique (inspection_id, position) deferrable initially deferred
);
create trigger set_updated_at before update on recommendation
    for each row execute function set_updated_at();

-- Only a rationale can be quoted, and only of a Yes or a No (an N/A says
-- nothing about the quality of the work).
alter table key_question_judgement
    add column quote_in_report boolean not null default false,
    add constraint key_question_judgement_quote
        check (not quote_in_report or (rationale is not null and answer <> 'na'));

-- A change to the recommendations is audited like any other change.
alter table audit_event drop constraint audit_event_entity_check;
alter table audit_event add constraint audit_event_entity_check
    check (entity in ('inspection', 'case', 'case_fact', 'judgement', 'rationale', 'prompt', 'outcome',
                      'domain_one', 'assignment', 'membership', 'status', 'staff_survey',
                      'qa_sample', 'second_marking', 'adjudication', 'recommendation'));
