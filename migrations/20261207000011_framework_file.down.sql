alter table key_question drop column provisional;
alter table standard drop column scored, drop column rated_from;
drop table framework_area;
drop table framework_domain;
alter table framework_version drop column source, drop column status, drop column version;
