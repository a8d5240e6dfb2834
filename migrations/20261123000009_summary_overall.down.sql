alter table inspection_summary drop column score, drop column overall;
