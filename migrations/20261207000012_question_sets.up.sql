-- Question sets (docs/frameworks.md): a framework may mark some cases on
-- fewer key questions than others, the set chosen by the case's facts. The
-- condition is kept as the file wrote it and evaluated by the application
-- (crates/rules, question_set.rs), which stores the chosen set on the case
-- so that every count can join on it.

create table question_set (
    id integer primary key,
    framework_version_id integer not null references framework_version (id),
    code text not null check (code ~ '^[a-z][a-z0-9_-]*$'),
    name text not null check (length(name) between 1 and 200),
    position smallint not null,
    -- The file's `when`; null for the set a case gets when no other applies.
    selector text check (length(selector) between 1 and 2000),
    -- True when the file lists no key questions: every case key question.
    every_key_question boolean not null,
    unique (framework_version_id, code),
    unique (id, framework_version_id)
);
create unique index question_set_one_default on question_set (framework_version_id)
    where selector is null;

create table question_set_key_question (
    question_set_id integer not null,
    framework_version_id integer not null,
    key_question_id integer not null,
    -- The order the file listed them, kept for an identical export.
    position smallint not null,
    primary key (question_set_id, key_question_id),
    foreign key (question_set_id, framework_version_id)
        references question_set (id, framework_version_id),
    foreign key (key_question_id, framework_version_id)
        references key_question (id, framework_version_id)
);

-- Frozen with the rest of a version once an inspection uses it.
create trigger framework_in_use before update or delete on question_set
    for each row execute function framework_in_use();
create trigger framework_in_use before update or delete on question_set_key_question
    for each row execute function framework_in_use();

-- The licence's length, in weeks, for licence cases: the fact the 2025
-- dynamic inspection's adjusted set turns on ("eight weeks or less").
alter table sample_case
    add column licence_weeks smallint check (licence_weeks between 1 and 2600),
    add constraint sample_case_licence_weeks_licence
        check (licence_weeks is null or sentence_type = 'licence');

-- The set a case is marked on (null where its framework has no sets), and
-- the lead's reason when they chose it over the one the facts choose.
alter table sample_case
    add column question_set_id integer,
    add column question_set_override text check (length(question_set_override) between 1 and 2000),
    add constraint sample_case_question_set_fkey foreign key (question_set_id, framework_version_id)
        references question_set (id, framework_version_id),
    add constraint sample_case_override_has_set
        check (question_set_override is null or question_set_id is not null);
