alter table app_user drop constraint app_user_email_ascii;
alter table staff_survey_item drop column added_by;
alter table user_session drop column flash;
drop table security_event;
