-- The date an inspection was published, for the national tables (the
-- annual report's "published date"). Set when it moves to published and
-- cleared if it moves back to moderation; a republished inspection takes
-- the new date. Inspections already published take the date of their last
-- move to published in the audit trail (their fieldwork start if there is
-- none, as for inspections imported already published).
alter table inspection add column published_on date,
    add constraint inspection_published_on check ((status = 'published') = (published_on is not null)) not valid;

update inspection i set published_on = coalesce(
    (select max(e.at)::date from audit_event e
     where e.inspection_id = i.id and e.entity = 'status' and e.new_value = 'published'),
    i.fieldwork_start)
where i.status = 'published';

alter table inspection validate constraint inspection_published_on;

create index inspection_published_on on inspection (published_on) where published_on is not null;
