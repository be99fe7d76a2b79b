-- The value with each \u0000 and each lone surrogate escape replaced by \ufffd, the Unicode
-- replacement character. `json` keeps them as written; jsonb, json_each() keys, ->> and #>> all
-- refuse them ("unsupported Unicode escape sequence"). Condensing and the candidate's filter read
-- such a value from this copy rather than fail. An escaped backslash followed by "u0000" is text,
-- not an escape, and stays.
create function private.json_readable(p_value json) returns json
language plpgsql immutable set search_path = '' as $$
begin
  return pg_catalog.regexp_replace(
    pg_catalog.regexp_replace(p_value::text, '((?:^|[^\\])(?:\\\\)*)\\u0000', '\1\\ufffd', 'g'),
    '((?:^|[^\\])(?:\\\\)*)(\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2})',
    '\1\\ufffd', 'g')::json;
end;
$$;
