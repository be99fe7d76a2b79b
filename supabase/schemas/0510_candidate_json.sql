-- The candidate's list, as the RPC reads it on each call: every place they are shown, with how
-- ({"score": "shown", "ai_analysis_other": "keys", "...assemblyai": "whole", ...}). A shown
-- place whose inner keys rows name (hidden ones too) is `keys`: it holds an object, or a list of
-- them, and any other value there is hidden (a JSON string holding an object, say: nothing
-- inside it has been judged). A place not in the list is hidden. Empty, never null, when no row
-- shows anything: the candidate is then shown nothing.
create function private.candidate_list() returns jsonb
language plpgsql stable security definer set search_path = '' as $$
begin
  return coalesce((
    select pg_catalog.jsonb_object_agg(c.path, case
        when c.candidate = 'shown' and c.path in (
          select k.parent from private.candidate_visibility k where k.parent is not null
        ) then 'keys'
        else c.candidate
      end)
    from private.candidate_visibility c
    where c.candidate <> 'hidden'
  ), '{}'::jsonb);
end;
$$;

-- `_omitted` or `_unreadable` of the object at p_parent, as the candidate sees it: the strings
-- that name a key shown to them beside it, or null (the key removed) when none is left or the
-- value is not a list.
create function private.candidate_names(
  p_value json,
  p_parent text,
  p_list jsonb
) returns json
language plpgsql immutable set search_path = '' as $$
begin
  return (
    select pg_catalog.json_agg(x.value)
    from pg_catalog.json_array_elements(
      case when pg_catalog.json_typeof(p_value) = 'array' then p_value end
    ) x
    where pg_catalog.json_typeof(x.value) = 'string'
      and pg_catalog.strpos(x.value #>> '{}', '.') = 0
      and p_list ->> (p_parent || '.' || (x.value #>> '{}')) in ('shown', 'keys', 'whole')
  );
end;
$$;

-- What the candidate sees of the JSON value at `p_path` of their document, by their list
-- (private.candidate_list()): null when the list doesn't show that place; the value as stored
-- when it is shown whole; when it is shown, an array element by element, an object with only the
-- keys the list shows inside it, each by its own rule, in their stored order (hidden keys are
-- removed, name and all; so is a key with a dot, which could pass for a path inside it), and
-- any other value as it is, unless the place is `keys` (the list names what is inside it): then
-- only null. A child's rule is applied in the object's own statement; only objects and arrays
-- inside, and any value at a `keys` place, are taken apart by a call.
-- With p_careful (the RPC's second attempt, when the first raised), the value is read from a
-- copy with \u0000 and lone surrogates replaced by U+FFFD (private.json_readable), and a value
-- that still can't be taken apart (nested past the stack, say) is null: what can't be read isn't
-- shown.
create function private.candidate_json(
  p_value json,
  p_path text,
  p_list jsonb,
  p_careful boolean default false
) returns json
language plpgsql immutable set search_path = '' as $$
begin
  if p_careful then
    begin
      return private.candidate_json(private.json_readable(p_value), p_path, p_list);
    exception when others then
      return null;
    end;
  end if;
  case p_list ->> p_path
    when 'whole' then
      return p_value;
    when 'shown', 'keys' then
      case pg_catalog.json_typeof(p_value)
        when 'object' then
          return coalesce((
            select pg_catalog.json_object_agg(k.key, k.value)
            from (
              select e.key, case p_list ->> (p_path || '.' || e.key)
                  when 'whole' then e.value
                  when 'names' then private.candidate_names(e.value, p_path, p_list)
                  when 'keys' then private.candidate_json(e.value, p_path || '.' || e.key, p_list)
                  when 'shown' then case when pg_catalog.json_typeof(e.value) in ('object', 'array')
                    then private.candidate_json(e.value, p_path || '.' || e.key, p_list) else e.value end
                end as value
              from pg_catalog.json_each(p_value) e
              where pg_catalog.strpos(e.key, '.') = 0
              -- Not flattened into the query above: its filter would compute each value twice.
              offset 0
            ) k
            where k.value is not null
          ), '{}'::json);
        when 'array' then
          -- In the elements' order: json_array_elements() returns them so, and nothing reorders.
          return coalesce((
            select pg_catalog.json_agg(y.value) filter (where y.value is not null)
            from (
              select case
                  when p_list ->> p_path = 'keys'
                    or pg_catalog.json_typeof(x.value) in ('object', 'array')
                    then private.candidate_json(x.value, p_path, p_list)
                  else x.value
                end as value
              from pg_catalog.json_array_elements(p_value) x
              -- Not flattened: the filter would compute each value twice.
              offset 0
            ) y
          ), '[]'::json);
        when 'null' then
          return p_value;
        else
          return case when p_list ->> p_path = 'shown' then p_value end;
      end case;
    else
      return null;
  end case;
end;
$$;
