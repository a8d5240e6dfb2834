drop trigger summary_count_status on sample_case;
create trigger summary_count_status after update of marking_status, inspection_id on sample_case
    for each row
    when (old.marking_status is distinct from new.marking_status
          or old.inspection_id is distinct from new.inspection_id)
    execute function sample_case_count();
create or replace function sample_case_count() returns trigger
language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        update inspection_summary
        set cases_total = cases_total - 1,
            cases_complete = cases_complete - (old.marking_status = 'complete')::integer
        where inspection_id = old.inspection_id;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        update inspection_summary
        set cases_total = cases_total + 1,
            cases_complete = cases_complete + (new.marking_status = 'complete')::integer
        where inspection_id = new.inspection_id;
    end if;
    return null;
end
$$;
alter table sample_case
    drop constraint sample_case_replaced_has_reason,
    drop column replacement_of,
    drop column replaced_by,
    drop column replaced_reason,
    drop column replaced_at,
    drop column stratum;
drop table sample_draw;
drop table long_list_case;
drop table long_list;
