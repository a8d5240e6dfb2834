-- Domain one marked from evidence (issue 8): key questions per standard as
-- framework data, the team's four-point judgement of each, evidence bullets
-- tagged with their source, staff survey figures, and the lead's
-- confirmation of the rating the judgements propose (docs/rating-rules.md,
-- rule 7). The proposal itself is computed by crates/rules, never stored.

-- The key questions of domain one standards. Like domain two's, they belong
-- to a framework version and freeze once an inspection uses it.
create table domain_one_question (
    id integer primary key,
    standard_id integer not null,
    framework_version_id integer not null,
    -- Always 1: with the foreign key below it proves the standard is a domain one standard.
    domain smallint not null default 1 check (domain = 1),
    code text not null,
    text text not null,
    position smallint not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    foreign key (standard_id, framework_version_id, domain) references standard (id, framework_version_id, domain),
    unique (framework_version_id, code),
    unique (id, framework_version_id)
);

-- The case prompts whose figures bear on a domain one key question (shown
-- beside it: "management oversight sufficient in 12 of 40 cases").
create table domain_one_case_evidence (
    question_id integer not null,
    prompt_id integer not null,
    framework_version_id integer not null,
    position smallint not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (question_id, prompt_id),
    foreign key (question_id, framework_version_id) references domain_one_question (id, framework_version_id),
    foreign key (prompt_id, framework_version_id) references prompt (id, framework_version_id)
);

insert into domain_one_question (id, standard_id, framework_version_id, code, text, position) values
    (1, 1, 1, '1.1.1', 'Does the vision and strategy drive the delivery of a high-quality service for all people on probation?', 1),
    (2, 1, 1, '1.1.2', 'Are partnerships and strategic relationships used effectively to support delivery?', 2),
    (3, 1, 1, '1.1.3', 'Do leaders understand and act on risks to service delivery, including learning from serious incidents?', 3),
    (4, 1, 1, '1.1.4', 'Does the culture promote openness, inclusion and the engagement of staff and of people on probation?', 4),
    (5, 2, 1, '1.2.1', 'Do staffing and workload levels support a high-quality, personalised service?', 1),
    (6, 2, 1, '1.2.2', 'Do staff have the skills, knowledge and experience for the work allocated to them?', 2),
    (7, 2, 1, '1.2.3', 'Are management oversight and supervision sufficient to support quality and staff development?', 3),
    (8, 2, 1, '1.2.4', 'Are learning, training and development effective and responsive to need?', 4),
    (9, 3, 1, '1.3.1', 'Is there an up-to-date analysis of the needs of people on probation, including diverse needs, used to target services?', 1),
    (10, 3, 1, '1.3.2', 'Does the PDU provide the volume, range and quality of services needed (commissioned rehabilitative services, programmes, local provision)?', 2),
    (11, 3, 1, '1.3.3', 'Are services coordinated with partners and providers, and equitably available across the PDU?', 3);

-- Our starting choice of case evidence, from the prompts' wording; editable
-- data like the questions (docs/rating-rules.md lists it).
insert into domain_one_case_evidence (question_id, prompt_id, framework_version_id, position) values
    (2, 40, 1, 1),   -- 1.1.2 partnerships: MAPPA screening and multi-agency oversight (2.3.3.f)
    (3, 49, 1, 1),   -- 1.1.3 risks and incidents: reportable incidents followed up (2.4.3.b)
    (5, 25, 1, 1),   -- 1.2.1 staffing and workloads: allocation and induction (2.3.1.a)
    (5, 27, 1, 2),   --       contact sufficient (2.3.1.c)
    (7, 14, 1, 1),   -- 1.2.3 management oversight: risk assessment countersigned (2.1.3.g)
    (7, 41, 1, 2),   --       management oversight of the case (2.3.3.g)
    (9, 2, 1, 1),    -- 1.3.1 needs analysis: diversity factors discussed (2.1.1.b)
    (9, 3, 1, 2),    --       their impact analysed (2.1.1.c)
    (10, 30, 1, 1),  -- 1.3.2 services: interventions delivered (2.3.2.b)
    (10, 31, 1, 2),  --       local services used (2.3.2.c)
    (10, 32, 1, 3),  --       commissioned rehabilitative services used (2.3.2.d)
    (11, 33, 1, 1),  -- 1.3.3 coordination: other organisations coordinated (2.3.2.e)
    (11, 9, 1, 2),   --       domestic abuse information from the police (2.1.3.b)
    (11, 11, 1, 3);  --       safeguarding information from children's services (2.1.3.d)

-- A key question's judgement in one inspection: by the lead or the
-- inspector the lead named for the standard (domain_one_rating.judge_id).
create table domain_one_judgement (
    inspection_id bigint not null,
    question_id integer not null,
    framework_version_id integer not null,
    rating text not null check (rating in ('inadequate', 'requires_improvement', 'good', 'outstanding')),
    judged_by bigint references app_user (id),
    judged_by_name text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (inspection_id, question_id),
    foreign key (inspection_id, framework_version_id) references inspection (id, framework_version_id) on delete cascade,
    foreign key (question_id, framework_version_id) references domain_one_question (id, framework_version_id)
);

-- Staff survey results as figures, so a report can say "19 out of 36 staff".
create table staff_survey_item (
    id bigint generated always as identity primary key,
    inspection_id bigint not null references inspection (id) on delete cascade,
    question text not null check (length(question) between 1 and 500 and question = btrim(question)),
    positive integer not null check (positive >= 0),
    respondents integer not null check (respondents between 1 and 100000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (positive <= respondents),
    unique (id, inspection_id)
);
create unique index staff_survey_item_question_key on staff_survey_item (inspection_id, lower(question));

-- One strength or area for improvement under a key question, tagged with its
-- source. A bullet from the staff survey may cite one of the inspection's
-- survey items, and that item cannot be removed while it is cited.
create table domain_one_evidence (
    id bigint generated always as identity primary key,
    inspection_id bigint not null,
    question_id integer not null,
    framework_version_id integer not null,
    kind text not null check (kind in ('strength', 'improvement')),
    source text not null check (source in ('meeting', 'focus_group', 'document', 'data', 'staff_survey',
                                           'case_sample')),
    text text not null check (length(text) between 1 and 2000 and text = btrim(text)),
    survey_item_id bigint,
    added_by bigint references app_user (id),
    added_by_name text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (survey_item_id is null or source = 'staff_survey'),
    foreign key (inspection_id, framework_version_id) references inspection (id, framework_version_id) on delete cascade,
    foreign key (question_id, framework_version_id) references domain_one_question (id, framework_version_id),
    foreign key (survey_item_id, inspection_id) references staff_survey_item (id, inspection_id)
);
create index domain_one_evidence_inspection_idx on domain_one_evidence (inspection_id, question_id, id);
create index domain_one_evidence_survey_idx on domain_one_evidence (survey_item_id) where survey_item_id is not null;

-- The existing rating column becomes the confirmed rating: rows rated before
-- this migration were typed in by the lead, so they count as confirmed.
alter table domain_one_rating
    add column judge_id bigint references app_user (id),
    -- The proposal when the rating was confirmed (null if nothing was judged).
    add column proposed_rating text check (proposed_rating in ('inadequate', 'requires_improvement', 'good',
                                                               'outstanding')),
    add column reason text check (length(reason) between 1 and 2000),
    add column confirmed_by text,
    add column confirmed_at timestamptz;
update domain_one_rating set confirmed_at = updated_at where rating is not null;
alter table domain_one_rating
    add constraint domain_one_rating_confirmed check ((rating is null) = (confirmed_at is null));

alter table audit_event drop constraint audit_event_entity_check;
alter table audit_event add constraint audit_event_entity_check
    check (entity in ('inspection', 'case', 'case_fact', 'judgement', 'rationale', 'prompt', 'outcome',
                      'domain_one', 'assignment', 'membership', 'status', 'staff_survey'));

do $$
declare
    t text;
begin
    foreach t in array array['domain_one_question', 'domain_one_case_evidence', 'domain_one_judgement',
                             'staff_survey_item', 'domain_one_evidence']
    loop
        execute format('create trigger set_updated_at before update on %I
                        for each row execute function set_updated_at()', t);
    end loop;
    foreach t in array array['domain_one_question', 'domain_one_case_evidence']
    loop
        execute format('create trigger framework_in_use before update or delete on %I
                        for each row execute function framework_in_use()', t);
    end loop;
end
$$;

-- Nothing here touches inspection_summary: the lists show confirmed ratings
-- only, and a confirmation is a change to domain_one_rating, whose trigger
-- (migration 0005) already marks the cached ratings stale.
