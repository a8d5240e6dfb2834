drop index inspection_published_on;
alter table inspection drop constraint inspection_published_on, drop column published_on;
