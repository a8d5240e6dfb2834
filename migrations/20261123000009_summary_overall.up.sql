-- The national table is filtered by overall rating and sorted by score in
-- SQL, one page at a time (issue 15), so the summary cache keeps them
-- beside the standards' ratings they are computed from (by the Rust rules,
-- when the ratings are stored; rated_version says whether all three are
-- current).
alter table inspection_summary
    add column overall text check (overall in ('outstanding', 'good', 'requires_improvement', 'inadequate')),
    add column score smallint check (score >= 0);
-- Cached ratings from before this migration have no overall or score yet:
-- the next reader rates them again.
update inspection_summary set rated_version = 0;
