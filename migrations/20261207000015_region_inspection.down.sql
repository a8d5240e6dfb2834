create or replace function key_question_tally_stale() returns trigger
language plpgsql as $$
begin
    update inspection_summary set version = version + 1
    where inspection_id in (select distinct inspection_id from changed);
    return null;
end
$$;
drop table region_pool;
drop trigger inspection_region on inspection;
drop function inspection_region_of_pdu();
delete from inspection where pdu_id is null;
alter table inspection
    drop constraint inspection_framework_level_fkey,
    drop column level,
    drop constraint inspection_pdu_region_fkey,
    drop column region_id,
    alter column pdu_id set not null;
drop index pdu_id_region_key;
alter table sample_case drop column case_type;
alter table key_question disable trigger framework_in_use;
alter table key_question drop column pooled_from;
alter table key_question enable trigger framework_in_use;
alter table standard disable trigger framework_in_use;
alter table standard drop column rated;
alter table standard enable trigger framework_in_use;
drop table framework_case_type;
alter table framework_version drop constraint framework_version_level_key, drop column level;
