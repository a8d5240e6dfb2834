alter table domain_one_rating drop column rated_from;
alter table domain_one_rating
    add column domain smallint not null default 1 check (domain = 1),
    add foreign key (standard_id, framework_version_id, domain)
        references standard (id, framework_version_id, domain);
alter table domain_one_question drop column rated_from;
alter table domain_one_question
    add column domain smallint not null default 1 check (domain = 1),
    add foreign key (standard_id, framework_version_id, domain)
        references standard (id, framework_version_id, domain);
alter table standard drop constraint standard_rated_from_key;
alter table standard drop constraint standard_domain_check;
alter table standard add constraint standard_domain_check check (domain in (1, 2));
alter table security_event drop constraint security_event_kind_check;
alter table security_event add constraint security_event_kind_check
    check (kind in ('user_created', 'role_changed', 'user_deactivated', 'user_reactivated',
                    'pdu_added', 'token_created', 'token_revoked', 'signed_in',
                    'sign_in_failed', 'lockout', 'password_changed'));
alter table key_question drop constraint key_question_area_fkey;
alter table key_question add constraint key_question_area_check
    check (area in ('engagement', 'desistance', 'safety'));
alter table key_question drop column provisional;
alter table domain_one_question drop column provisional;
alter table standard drop column scored, drop column rated_from;
drop table framework_area;
drop table framework_domain;
alter table framework_version drop column source, drop column status, drop column version;
