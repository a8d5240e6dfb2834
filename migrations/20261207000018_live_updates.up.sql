-- Live dashboards (docs/architecture.md, "Live updates"): every committed
-- change to what an inspection's ratings rest on (a tally, a domain one
-- rating, a case's count or completion, a pooled PDU inspection's tallies
-- for a region inspection) bumps its summary row; this trigger notifies
-- channel casemark_live with the inspection's id. NOTIFY is sent on commit
-- only, so a rolled-back save notifies nobody, and PostgreSQL folds repeats
-- of one payload within a transaction, so a save (which may bump the
-- version several times) is one event.
-- Writing the ratings cache (rated_version, ratings) is not a change.
create function inspection_summary_notify() returns trigger
language plpgsql as $$
begin
    perform pg_notify('casemark_live', new.inspection_id::text);
    return null;
end
$$;
create trigger summary_notify after update on inspection_summary
    for each row
    when (old.version is distinct from new.version
          or old.cases_total is distinct from new.cases_total
          or old.cases_complete is distinct from new.cases_complete)
    execute function inspection_summary_notify();
