-- The caller's membership that reaches this merchant: theirs in it or in any merchant above it,
-- an owner's (merchant_owner) before a member's, then the nearest; no row when none does. One
-- statement walking up the parents (index lookups, as many as the merchant is deep), not down the
-- caller's whole tree (2,000 merchants for a reviewer of a wide one). Bounded, so a corrupt
-- parent cycle can't loop. Who may review a result (private.can_review_merchant), in what role a
-- reader's access record names them, and who may read a result's access log all come from here.
create function private.merchant_membership(p_merchant_id uuid)
returns table (merchant_id uuid, role text)
language plpgsql stable security definer set search_path = '' as $$
begin
  return query
    with recursive up (id, depth) as (
      select p_merchant_id, 0
      union all
      select m.parent_merchant_id, up.depth + 1
      from up join public.merchants m on m.id = up.id
      where m.parent_merchant_id is not null and up.depth < 32
    )
    select mm.merchant_id, mm.role from up
    join public.merchant_members mm on mm.merchant_id = up.id
    where mm.user_id = (select auth.uid())
    order by mm.role = 'merchant_owner' desc, up.depth
    limit 1;
end;
$$;

-- Called by the owner's functions only. (A function's default is EXECUTE for PUBLIC, which an
-- `alter default privileges in schema` can't take away: only the schema's USAGE, which no user
-- role holds, keeps private's functions from callers.)
revoke execute on function private.merchant_membership(uuid) from public;
