-- True when the caller is a member of this merchant or of any merchant above it: one statement
-- walking up the parents (index lookups, as many as the merchant is deep), not down the caller's
-- whole tree (2,000 merchants for a reviewer of a wide one). Bounded, so a corrupt parent cycle
-- can't loop.
create function private.can_review_merchant(p_merchant_id uuid) returns boolean
language plpgsql stable security definer set search_path = '' as $$
begin
  return exists (
    with recursive up (id, depth) as (
      select p_merchant_id, 0
      union all
      select m.parent_merchant_id, up.depth + 1
      from up join public.merchants m on m.id = up.id
      where m.parent_merchant_id is not null and up.depth < 32
    )
    select 1 from up
    join public.merchant_members mm on mm.merchant_id = up.id
    where mm.user_id = (select auth.uid())
  );
end;
$$;
