-- casemark core schema: regions, PDUs, framework versions, inspections, cases
-- and their judgements. Conventions: lowercase SQL, singular table names,
-- created_at/updated_at on every table kept by one trigger, and every rule
-- that can be a constraint is one.

create function set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at = now();
    return new;
end
$$;

-- Region names compare without case, commas or repeated spaces, so
-- "Kent, Surrey and Sussex" finds "Kent Surrey and Sussex".
create function region_key(name text) returns text
language sql immutable strict parallel safe
return lower(regexp_replace(btrim(name), '[\s,]+', ' ', 'g'));

create table region (
    id smallint primary key,
    name text not null check (length(name) between 1 and 100),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index region_name_key on region (region_key(name));

create table pdu (
    id bigint generated always as identity primary key,
    region_id smallint not null references region (id),
    name text not null check (length(name) between 1 and 200 and name = btrim(name)),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index pdu_name_key on pdu (region_id, lower(name));

-- A framework version holds what is marked (standards, key questions,
-- prompts, outcomes) and how it is rated (bands). Inspections keep the
-- version they were marked under; a version in use cannot change (see the
-- framework_in_use trigger below).
create table framework_version (
    id integer primary key,
    code text not null unique,
    name text not null,
    kq_requires_improvement_min smallint not null,
    kq_good_min smallint not null,
    kq_outstanding_min smallint not null,
    overall_requires_improvement_min smallint not null,
    overall_good_min smallint not null,
    overall_outstanding_min smallint not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (0 < kq_requires_improvement_min and kq_requires_improvement_min < kq_good_min
           and kq_good_min < kq_outstanding_min and kq_outstanding_min <= 100),
    check (0 < overall_requires_improvement_min and overall_requires_improvement_min < overall_good_min
           and overall_good_min < overall_outstanding_min)
);

create table standard (
    id integer primary key,
    framework_version_id integer not null references framework_version (id),
    code text not null,
    domain smallint not null check (domain in (1, 2)),
    name text not null,
    statement text not null,
    position smallint not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (framework_version_id, code),
    unique (id, framework_version_id),
    unique (id, framework_version_id, domain)
);

create table key_question (
    id integer primary key,
    standard_id integer not null,
    framework_version_id integer not null,
    code text not null,
    area text not null check (area in ('engagement', 'desistance', 'safety')),
    text text not null,
    position smallint not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    foreign key (standard_id, framework_version_id) references standard (id, framework_version_id),
    unique (framework_version_id, code),
    unique (id, framework_version_id)
);

create table prompt (
    id integer primary key,
    key_question_id integer not null,
    framework_version_id integer not null,
    code text not null,
    text text not null,
    position smallint not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    foreign key (key_question_id, framework_version_id) references key_question (id, framework_version_id),
    unique (framework_version_id, code),
    unique (id, framework_version_id)
);

create table outcome_question (
    id integer primary key,
    framework_version_id integer not null references framework_version (id),
    code text not null,
    text text not null,
    position smallint not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (framework_version_id, code),
    unique (id, framework_version_id)
);

create table inspection (
    id bigint generated always as identity primary key,
    pdu_id bigint not null references pdu (id),
    framework_version_id integer not null references framework_version (id),
    fieldwork_start date not null,
    -- Week-commencing dates of the two weeks the case sample was drawn from.
    sample_week_1 date,
    sample_week_2 date,
    status text not null default 'setup'
        check (status in ('setup', 'fieldwork', 'moderation', 'published')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (id, framework_version_id),
    check (sample_week_1 is null or sample_week_1 < fieldwork_start),
    check (sample_week_2 is null or (sample_week_1 is not null and sample_week_1 < sample_week_2
                                     and sample_week_2 < fieldwork_start))
);
create index inspection_pdu_idx on inspection (pdu_id);

-- "case" is an SQL keyword, hence sample_case: a case of the inspection's sample.
create table sample_case (
    id bigint generated always as identity primary key,
    inspection_id bigint not null,
    framework_version_id integer not null,
    reference text not null check (length(reference) between 1 and 50 and reference = btrim(reference)),
    sentence_type text not null check (sentence_type in ('community_order', 'licence')),
    start_date date,
    office text check (length(office) between 1 and 200),
    practitioner_grade text check (practitioner_grade in
        ('probation_officer', 'probation_services_officer', 'trainee_probation_officer')),
    practitioner_count smallint check (practitioner_count between 1 and 99),
    sex text check (sex in ('female', 'male')),
    age_at_start smallint check (age_at_start between 10 and 120),
    ethnicity_group text check (ethnicity_group in ('asian', 'black', 'mixed', 'white', 'other', 'not_stated')),
    rosh_level text check (rosh_level in ('low', 'medium', 'high', 'very_high')),
    mappa_eligible boolean,
    marking_status text not null default 'not_started'
        check (marking_status in ('not_started', 'in_progress', 'complete')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    foreign key (inspection_id, framework_version_id)
        references inspection (id, framework_version_id) on delete cascade,
    unique (id, framework_version_id)
);
create unique index sample_case_reference_key on sample_case (inspection_id, lower(reference));

-- Answers carry the framework version too, so a composite foreign key proves
-- that a case is only ever judged against its own inspection's questions.
create table key_question_judgement (
    case_id bigint not null,
    key_question_id integer not null,
    framework_version_id integer not null,
    answer text not null check (answer in ('yes', 'no', 'na')),
    rationale text check (length(rationale) between 1 and 5000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (case_id, key_question_id),
    foreign key (case_id, framework_version_id) references sample_case (id, framework_version_id) on delete cascade,
    foreign key (key_question_id, framework_version_id) references key_question (id, framework_version_id)
);

create table prompt_answer (
    case_id bigint not null,
    prompt_id integer not null,
    framework_version_id integer not null,
    answer text not null check (answer in ('yes', 'no', 'na')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (case_id, prompt_id),
    foreign key (case_id, framework_version_id) references sample_case (id, framework_version_id) on delete cascade,
    foreign key (prompt_id, framework_version_id) references prompt (id, framework_version_id)
);

create table outcome_answer (
    case_id bigint not null,
    outcome_question_id integer not null,
    framework_version_id integer not null,
    answer text not null check (answer in ('yes', 'no')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (case_id, outcome_question_id),
    foreign key (case_id, framework_version_id) references sample_case (id, framework_version_id) on delete cascade,
    foreign key (outcome_question_id, framework_version_id) references outcome_question (id, framework_version_id)
);

create table domain_one_rating (
    inspection_id bigint not null,
    standard_id integer not null,
    framework_version_id integer not null,
    -- Always 1: with the foreign key below it proves the standard is a domain one standard.
    domain smallint not null default 1 check (domain = 1),
    rating text check (rating in ('inadequate', 'requires_improvement', 'good', 'outstanding')),
    strengths text check (length(strengths) <= 10000),
    areas_for_improvement text check (length(areas_for_improvement) <= 10000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (inspection_id, standard_id),
    foreign key (inspection_id, framework_version_id) references inspection (id, framework_version_id) on delete cascade,
    foreign key (standard_id, framework_version_id, domain) references standard (id, framework_version_id, domain)
);

do $$
declare
    t text;
begin
    foreach t in array array['region', 'pdu', 'framework_version', 'standard', 'key_question', 'prompt',
                             'outcome_question', 'inspection', 'sample_case', 'key_question_judgement',
                             'prompt_answer', 'outcome_answer', 'domain_one_rating']
    loop
        execute format('create trigger set_updated_at before update on %I
                        for each row execute function set_updated_at()', t);
    end loop;
end
$$;

-- A framework version that an inspection uses is frozen: changing its
-- questions or bands would silently re-rate a past inspection.
create function framework_in_use() returns trigger
language plpgsql as $$
declare
    version integer;
begin
    if tg_table_name = 'framework_version' then
        version := old.id;
    else
        version := old.framework_version_id;
    end if;
    if exists (select 1 from inspection where framework_version_id = version) then
        raise exception 'framework version % is used by an inspection and cannot change', version
            using errcode = 'restrict_violation';
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end
$$;

do $$
declare
    t text;
begin
    foreach t in array array['framework_version', 'standard', 'key_question', 'prompt', 'outcome_question']
    loop
        execute format('create trigger framework_in_use before update or delete on %I
                        for each row execute function framework_in_use()', t);
    end loop;
end
$$;
