alter table audit_event drop constraint audit_event_entity_check;
alter table audit_event add constraint audit_event_entity_check
    check (entity in ('inspection', 'case', 'case_fact', 'judgement', 'rationale', 'prompt', 'outcome',
                      'domain_one', 'assignment', 'membership', 'status'));
alter table domain_one_rating
    drop constraint domain_one_rating_confirmed,
    drop column judge_id,
    drop column proposed_rating,
    drop column reason,
    drop column confirmed_by,
    drop column confirmed_at;
drop table domain_one_evidence;
drop table staff_survey_item;
drop table domain_one_judgement;
drop table domain_one_case_evidence;
drop table domain_one_question;
