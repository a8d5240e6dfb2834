drop trigger case_notify on sample_case;
drop function sample_case_notify();
