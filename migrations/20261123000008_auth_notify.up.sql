-- Every server process keeps a short-lived memory of sessions and API
-- tokens (casemark::auth::cache) so a request needs no database round trip
-- to know who is asking. Any change that could make that memory wrong
-- notifies every process, from the database itself, so no path (the app,
-- the command line, a script in psql) can forget to: a session changed or
-- ended ('s:<hash in hex>'), or a user's role, activity or tokens changed
-- ('u:<id>'). NOTIFY is sent at commit, and not at all on rollback.

create function notify_auth_change() returns trigger
language plpgsql as $$
begin
    if tg_table_name = 'user_session' then
        perform pg_notify('casemark_auth', 's:' || encode(coalesce(old.id_hash, new.id_hash), 'hex'));
    elsif tg_table_name = 'app_user' then
        perform pg_notify('casemark_auth', 'u:' || coalesce(old.id, new.id));
    elsif tg_table_name = 'api_token' then
        perform pg_notify('casemark_auth', 'u:' || coalesce(old.user_id, new.user_id));
    end if;
    return null;
end
$$;

create trigger user_session_auth_change after update or delete on user_session
    for each row execute function notify_auth_change();
create trigger app_user_auth_change after update or delete on app_user
    for each row execute function notify_auth_change();
-- Tokens: only revocation (and removal) matters; last_used_at is touched
-- often and changes nothing a process remembers.
create trigger api_token_auth_change after update of revoked_at or delete on api_token
    for each row execute function notify_auth_change();
