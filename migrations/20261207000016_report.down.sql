delete from audit_event where entity = 'recommendation';
alter table audit_event drop constraint audit_event_entity_check;
alter table audit_event add constraint audit_event_entity_check
    check (entity in ('inspection', 'case', 'case_fact', 'judgement', 'rationale', 'prompt', 'outcome',
                      'domain_one', 'assignment', 'membership', 'status', 'staff_survey',
                      'qa_sample', 'second_marking', 'adjudication'));
alter table key_question_judgement drop constraint key_question_judgement_quote,
    drop column quote_in_report;
drop table recommendation;
