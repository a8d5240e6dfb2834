drop trigger summary_notify on inspection_summary;
drop function inspection_summary_notify();
