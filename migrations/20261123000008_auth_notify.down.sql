drop trigger api_token_auth_change on api_token;
drop trigger app_user_auth_change on app_user;
drop trigger user_session_auth_change on user_session;
drop function notify_auth_change();
