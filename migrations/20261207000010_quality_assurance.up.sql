-- Quality assurance (issue 17): local assessors and quality leads on the
-- team, who marked each case, blind second marking of a QA sample, and the
-- adjudication of each disagreement.

alter table membership drop constraint membership_role_check;
alter table membership add constraint membership_role_check
    check (role in ('lead', 'inspector', 'viewer', 'local_assessor', 'quality_lead'));

-- The first marker: who first saved the case's answers, and as what.
alter table sample_case
    add column marked_by bigint references app_user (id),
    add column marked_as text check (marked_as in ('lead', 'inspector', 'local_assessor')),
    add constraint sample_case_marked_check check ((marked_by is null) = (marked_as is null));

-- A case chosen for second marking, its second marker, and how it was
-- chosen (a random draw records its seed, so it can be repeated).
create table qa_sample (
    case_id bigint primary key references sample_case (id) on delete cascade,
    inspection_id bigint not null references inspection (id) on delete cascade,
    second_marker_id bigint not null references app_user (id),
    chosen text not null check (chosen in ('chosen', 'random', 'local_assessors')),
    seed bigint,
    added_by bigint references app_user (id),
    added_at timestamptz not null default now(),
    -- Set when the second marker submits; until then the first marking is
    -- hidden from them.
    submitted_at timestamptz,
    check ((chosen = 'random') = (seed is not null))
);
create index qa_sample_inspection_idx on qa_sample (inspection_id);
create index qa_sample_marker_idx on qa_sample (second_marker_id) where submitted_at is null;

-- The second marker's answers. On submission the first marking's answer and
-- rationale are copied beside them, so agreement is always measured against
-- the first marking as it was, whatever adjudication changes later.
create table second_marking (
    case_id bigint not null references qa_sample (case_id) on delete cascade,
    key_question_id integer not null references key_question (id),
    answer text not null check (answer in ('yes', 'no', 'na')),
    rationale text check (length(rationale) between 1 and 5000),
    first_answer text check (first_answer in ('yes', 'no', 'na')),
    first_rationale text,
    primary key (case_id, key_question_id)
);

create table second_marking_prompt (
    case_id bigint not null references qa_sample (case_id) on delete cascade,
    prompt_id integer not null references prompt (id),
    answer text not null check (answer in ('yes', 'no', 'na')),
    primary key (case_id, prompt_id)
);

-- The final answer to a disagreement and why.
create table adjudication (
    case_id bigint not null,
    key_question_id integer not null,
    final_answer text not null check (final_answer in ('yes', 'no', 'na')),
    reason text not null check (length(reason) between 1 and 2000),
    adjudicated_by bigint references app_user (id),
    adjudicated_at timestamptz not null default now(),
    primary key (case_id, key_question_id),
    foreign key (case_id, key_question_id) references second_marking (case_id, key_question_id)
        on delete cascade
);

alter table audit_event drop constraint audit_event_entity_check;
alter table audit_event add constraint audit_event_entity_check
    check (entity in ('inspection', 'case', 'case_fact', 'judgement', 'rationale', 'prompt', 'outcome',
                      'domain_one', 'assignment', 'membership', 'status', 'staff_survey',
                      'qa_sample', 'second_marking', 'adjudication'));
