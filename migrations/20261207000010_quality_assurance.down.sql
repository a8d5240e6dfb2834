alter table audit_event drop constraint audit_event_entity_check;
alter table audit_event add constraint audit_event_entity_check
    check (entity in ('inspection', 'case', 'case_fact', 'judgement', 'rationale', 'prompt', 'outcome',
                      'domain_one', 'assignment', 'membership', 'status', 'staff_survey'));
drop table adjudication;
drop table second_marking_prompt;
drop table second_marking;
drop table qa_sample;
alter table sample_case drop constraint sample_case_marked_check,
    drop column marked_as, drop column marked_by;
delete from membership where role in ('local_assessor', 'quality_lead');
alter table membership drop constraint membership_role_check;
alter table membership add constraint membership_role_check
    check (role in ('lead', 'inspector', 'viewer'));
