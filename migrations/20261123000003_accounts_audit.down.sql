drop table audit_event;
drop function audit_event_is_append_only();
drop table membership, sign_in_throttle, api_token, user_session;
alter table sample_case drop column revision, drop column assigned_to;
alter table inspection drop column created_by;
drop table app_user;
