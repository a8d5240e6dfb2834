-- What a framework file holds (docs/frameworks.md) that the schema did not:
-- a version number, a status and a source for each framework version; its
-- domains and areas by name; whether each standard is rated from cases or
-- from evidence and whether it counts towards the score; which key
-- questions are provisional. Existing versions get the values they already
-- had in practice (domain one from evidence, everything scored).

alter table framework_version
    add column version smallint not null default 1 check (version >= 1),
    add column status text not null default 'in_use' check (status in ('draft', 'in_use', 'retired')),
    add column source text;

create table framework_domain (
    framework_version_id integer not null references framework_version (id),
    number smallint not null check (number >= 1),
    name text not null check (length(name) between 1 and 200),
    primary key (framework_version_id, number)
);

create table framework_area (
    framework_version_id integer not null references framework_version (id),
    code text not null check (code ~ '^[a-z][a-z0-9_]*$'),
    name text not null check (length(name) between 1 and 200),
    position smallint not null,
    primary key (framework_version_id, code)
);

alter table standard
    add column rated_from text not null default 'cases' check (rated_from in ('cases', 'evidence')),
    add column scored boolean not null default true;
alter table key_question add column provisional boolean not null default false;
alter table domain_one_question add column provisional boolean not null default false;

-- Setting the existing standards' values is not a change to a framework in
-- use: it records what they already were.
alter table standard disable trigger framework_in_use;
update standard set rated_from = 'evidence' where domain = 1;
alter table standard enable trigger framework_in_use;

update framework_version set source =
    'HM Inspectorate of Probation: the PDU inspection standards, rules and ratings of the programme that began in 2023, with its case-marking prompts (shared/domain/inspection-rules.md, prompts.md)'
    where code = 'pdu-2023';
insert into framework_domain (framework_version_id, number, name)
    select id, 1, 'Organisational arrangements and activity' from framework_version where code = 'pdu-2023'
    union all
    select id, 2, 'Service delivery' from framework_version where code = 'pdu-2023';
insert into framework_area (framework_version_id, code, name, position)
    select id, a.code, a.name, a.position
    from framework_version,
         (values ('engagement', 'Engagement', 1), ('desistance', 'Desistance', 2),
                 ('safety', 'Keeping other people safe', 3)) as a(code, name, position)
    where framework_version.code = 'pdu-2023';

-- Importing a framework is an administrator's change, recorded like adding a PDU.
alter table security_event drop constraint security_event_kind_check;
alter table security_event add constraint security_event_kind_check
    check (kind in ('user_created', 'role_changed', 'user_deactivated', 'user_reactivated',
                    'pdu_added', 'token_created', 'token_revoked', 'signed_in',
                    'sign_in_failed', 'lockout', 'password_changed', 'framework_imported'));

-- A key question's area is one of its framework's areas, not one of three
-- fixed names.
alter table key_question drop constraint key_question_area_check;
alter table key_question add constraint key_question_area_fkey
    foreign key (framework_version_id, area) references framework_area (framework_version_id, code);

-- Standards in any number of domains. Domain one's tables held standards of
-- domain 1 by a constant column and a foreign key; what they hold is a
-- standard judged from evidence, in whatever domain, so the key becomes
-- rated_from.
alter table standard drop constraint standard_domain_check;
alter table standard add constraint standard_domain_check check (domain >= 1);
alter table standard add constraint standard_rated_from_key unique (id, framework_version_id, rated_from);
alter table domain_one_question drop column domain;
alter table domain_one_question
    add column rated_from text not null default 'evidence' check (rated_from = 'evidence'),
    add constraint domain_one_question_standard_fkey foreign key (standard_id, framework_version_id, rated_from)
        references standard (id, framework_version_id, rated_from);
alter table domain_one_rating drop column domain;
alter table domain_one_rating
    add column rated_from text not null default 'evidence' check (rated_from = 'evidence'),
    add constraint domain_one_rating_standard_fkey foreign key (standard_id, framework_version_id, rated_from)
        references standard (id, framework_version_id, rated_from);
