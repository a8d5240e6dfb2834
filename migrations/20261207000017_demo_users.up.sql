-- The demo team (`casemark --demo`): users made for the demo inspection,
-- so that the demo refuses a database with real users and every page they
-- see says it shows demo data.
alter table app_user add column demo boolean not null default false;
