-- True when the caller is a platform admin. plpgsql, so its plan is cached: an SQL function with
-- a SET clause is never inlined and is planned again on every call.
create function private.is_platform_admin() returns boolean
language plpgsql stable security definer set search_path = '' as $$
begin
  return exists (
    select 1 from public.platform_admins a where a.user_id = (select auth.uid())
  );
end;
$$;
