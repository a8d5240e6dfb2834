-- A case page open while someone else saves the case (docs/architecture.md,
-- "Live updates"): every committed save bumps the case's revision, and this
-- trigger notifies channel casemark_live with "case:<id>", so the page can
-- say what changed before its reader saves over it. As with the summary's
-- trigger, NOTIFY is sent on commit only, and repeats within a transaction
-- fold into one.
create function sample_case_notify() returns trigger
language plpgsql as $$
begin
    perform pg_notify('casemark_live', 'case:' || new.id::text);
    return null;
end
$$;
create trigger case_notify after update of revision on sample_case
    for each row
    when (old.revision is distinct from new.revision)
    execute function sample_case_notify();
