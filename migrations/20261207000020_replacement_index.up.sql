-- Every read of a case asks which case replaced it
-- (`r.replacement_of = sample_case.id`, db::cases::select_case), and
-- deleting a case checks the foreign key the other way. Without an index
-- both scan every case: 23 ms per read at 120,000 cases, found by the
-- benchmark (docs/performance.md, "Live updates across instances"). Few
-- cases are replacements, so the index holds only those.
create index sample_case_replacement_of_idx on sample_case (replacement_of)
    where replacement_of is not null;
