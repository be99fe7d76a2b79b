-- True when the caller is a member of this merchant or of any merchant above it
-- (private.merchant_membership: the walk up, in one place).
create function private.can_review_merchant(p_merchant_id uuid) returns boolean
language plpgsql stable security definer set search_path = '' as $$
begin
  return exists (select 1 from private.merchant_membership(p_merchant_id));
end;
$$;
