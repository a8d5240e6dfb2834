-- Yes / No / N/A counts per inspection and question, kept by triggers in
-- the same transaction as the answers they count. A dashboard then reads a
-- few dozen rows whatever the size of the database, and the national table
-- reads one row per inspection and key question instead of grouping every
-- judgement ever recorded. The triggers are statement-level with transition
-- tables, so a save of a whole standard updates each count once.

create table key_question_tally (
    inspection_id bigint not null references inspection (id) on delete cascade,
    key_question_id integer not null references key_question (id),
    yes integer not null default 0 check (yes >= 0),
    no integer not null default 0 check (no >= 0),
    na integer not null default 0 check (na >= 0),
    primary key (inspection_id, key_question_id)
);

create table prompt_tally (
    inspection_id bigint not null references inspection (id) on delete cascade,
    prompt_id integer not null references prompt (id),
    yes integer not null default 0 check (yes >= 0),
    no integer not null default 0 check (no >= 0),
    na integer not null default 0 check (na >= 0),
    primary key (inspection_id, prompt_id)
);

-- Counts the answers in `rows_json` in (sign 1) or out (sign -1). Counting
-- out is an update, never an insert: a CHECK is tested on the row an upsert
-- proposes before its conflict is found, so a negative insert would fail.
-- Rows whose case no longer exists (a case deleted with its answers) were
-- already counted out by sample_case_untally below.
--
-- Planned afresh on every call (plan_cache_mode): a connection that cached a
-- plan while sample_case was small would otherwise keep scanning all of it
-- after it has grown, until statistics change.
create function key_question_tally_add(rows_json jsonb, sign integer) returns void
language plpgsql set plan_cache_mode = force_custom_plan as $$
begin
    if sign > 0 then
        insert into key_question_tally as t (inspection_id, key_question_id, yes, no, na)
        select c.inspection_id, r.key_question_id,
               count(*) filter (where r.answer = 'yes'),
               count(*) filter (where r.answer = 'no'),
               count(*) filter (where r.answer = 'na')
        from jsonb_to_recordset(rows_json) as r (case_id bigint, key_question_id integer, answer text)
        join sample_case c on c.id = r.case_id
        group by c.inspection_id, r.key_question_id
        on conflict (inspection_id, key_question_id) do update
            set yes = t.yes + excluded.yes, no = t.no + excluded.no, na = t.na + excluded.na;
    else
        update key_question_tally as t
        set yes = t.yes - d.yes, no = t.no - d.no, na = t.na - d.na
        from (select c.inspection_id, r.key_question_id,
                     count(*) filter (where r.answer = 'yes') as yes,
                     count(*) filter (where r.answer = 'no') as no,
                     count(*) filter (where r.answer = 'na') as na
              from jsonb_to_recordset(rows_json) as r (case_id bigint, key_question_id integer, answer text)
              join sample_case c on c.id = r.case_id
              group by c.inspection_id, r.key_question_id) as d
        where t.inspection_id = d.inspection_id and t.key_question_id = d.key_question_id;
    end if;
end
$$;

create function prompt_tally_add(rows_json jsonb, sign integer) returns void
language plpgsql set plan_cache_mode = force_custom_plan as $$
begin
    if sign > 0 then
        insert into prompt_tally as t (inspection_id, prompt_id, yes, no, na)
        select c.inspection_id, r.prompt_id,
               count(*) filter (where r.answer = 'yes'),
               count(*) filter (where r.answer = 'no'),
               count(*) filter (where r.answer = 'na')
        from jsonb_to_recordset(rows_json) as r (case_id bigint, prompt_id integer, answer text)
        join sample_case c on c.id = r.case_id
        group by c.inspection_id, r.prompt_id
        on conflict (inspection_id, prompt_id) do update
            set yes = t.yes + excluded.yes, no = t.no + excluded.no, na = t.na + excluded.na;
    else
        update prompt_tally as t
        set yes = t.yes - d.yes, no = t.no - d.no, na = t.na - d.na
        from (select c.inspection_id, r.prompt_id,
                     count(*) filter (where r.answer = 'yes') as yes,
                     count(*) filter (where r.answer = 'no') as no,
                     count(*) filter (where r.answer = 'na') as na
              from jsonb_to_recordset(rows_json) as r (case_id bigint, prompt_id integer, answer text)
              join sample_case c on c.id = r.case_id
              group by c.inspection_id, r.prompt_id) as d
        where t.inspection_id = d.inspection_id and t.prompt_id = d.prompt_id;
    end if;
end
$$;

create function key_question_judgement_tally() returns trigger
language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        perform key_question_tally_add((select coalesce(jsonb_agg(o), '[]') from old_rows o), -1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        perform key_question_tally_add((select coalesce(jsonb_agg(n), '[]') from new_rows n), 1);
    end if;
    return null;
end
$$;

create function prompt_answer_tally() returns trigger
language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        perform prompt_tally_add((select coalesce(jsonb_agg(o), '[]') from old_rows o), -1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        perform prompt_tally_add((select coalesce(jsonb_agg(n), '[]') from new_rows n), 1);
    end if;
    return null;
end
$$;

create trigger tally_insert after insert on key_question_judgement
    referencing new table as new_rows for each statement execute function key_question_judgement_tally();
create trigger tally_update after update on key_question_judgement
    referencing old table as old_rows new table as new_rows for each statement execute function key_question_judgement_tally();
create trigger tally_delete after delete on key_question_judgement
    referencing old table as old_rows for each statement execute function key_question_judgement_tally();
create trigger tally_insert after insert on prompt_answer
    referencing new table as new_rows for each statement execute function prompt_answer_tally();
create trigger tally_update after update on prompt_answer
    referencing old table as old_rows new table as new_rows for each statement execute function prompt_answer_tally();
create trigger tally_delete after delete on prompt_answer
    referencing old table as old_rows for each statement execute function prompt_answer_tally();

-- A case deleted with its answers: subtract them while the case still says
-- which inspection they counted for.
create function sample_case_untally() returns trigger
language plpgsql as $$
begin
    perform key_question_tally_add(
        (select coalesce(jsonb_agg(j), '[]') from key_question_judgement j where j.case_id = old.id), -1);
    perform prompt_tally_add(
        (select coalesce(jsonb_agg(a), '[]') from prompt_answer a where a.case_id = old.id), -1);
    return old;
end
$$;
create trigger untally before delete on sample_case
    for each row execute function sample_case_untally();

insert into key_question_tally (inspection_id, key_question_id, yes, no, na)
select c.inspection_id, j.key_question_id,
       count(*) filter (where j.answer = 'yes'),
       count(*) filter (where j.answer = 'no'),
       count(*) filter (where j.answer = 'na')
from key_question_judgement j join sample_case c on c.id = j.case_id
group by 1, 2;

insert into prompt_tally (inspection_id, prompt_id, yes, no, na)
select c.inspection_id, a.prompt_id,
       count(*) filter (where a.answer = 'yes'),
       count(*) filter (where a.answer = 'no'),
       count(*) filter (where a.answer = 'na')
from prompt_answer a join sample_case c on c.id = a.case_id
group by 1, 2;
