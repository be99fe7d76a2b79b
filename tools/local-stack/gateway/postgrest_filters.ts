/**
 * PostgREST's horizontal filters (ApiRequest/QueryParams.hs `pOpExpr`, Query/SqlFragment.hs
 * `pgFmtFilter`), for a column of the row being read: `[not.]<operator>.<value>` with the
 * simple and quantifiable operators, `is`, `isdistinct` and `in`. Values go to Postgres as
 * untyped parameters, as PostgREST sends them (`unknownLiteral`), so Postgres decides what they
 * mean for the column (a uuid compared with `like` is its 42883, a malformed uuid its 22P02).
 * Full-text search, quantifiers (`eq(any)`), embedded paths and JSON paths are not served.
 */

export interface Filter {
  column: string;
  not: boolean;
  /** SQL after the column, `$?` standing for the parameter (if any). */
  operation: string;
  value?: string;
}

export interface FilterError {
  error: { message: string; details: string };
}

const SIMPLE: Record<string, string> = {
  neq: "<>",
  cs: "@>",
  cd: "<@",
  ov: "&&",
  sl: "<<",
  sr: ">>",
  nxr: "&<",
  nxl: "&>",
  adj: "-|-",
};
const QUANT: Record<string, string> = {
  eq: "=",
  gte: ">=",
  gt: ">",
  lte: "<=",
  lt: "<",
  like: "like",
  ilike: "ilike",
  match: "~",
  imatch: "~*",
};
const IS: Record<string, string> = {
  null: "NULL",
  not_null: "NOT NULL",
  true: "TRUE",
  false: "FALSE",
  unknown: "UNKNOWN",
};

const failed = (value: string): FilterError => ({
  error: {
    message: `"failed to parse filter (${value})" (line 1, column 1)`,
    details: `unexpected ${
      JSON.stringify(value.slice(0, 1))
    } expecting "not" or operator (eq, gt, ...)`,
  },
});

/** `in.(a,"b,c")`: the list's elements, quoted ones unescaped. */
function listValues(list: string): string[] | undefined {
  const m = /^\s*\((.*)\)\s*$/s.exec(list);
  if (!m) return undefined;
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(,|$)/gy;
  let match: RegExpExecArray | null;
  while (re.lastIndex < m[1].length && (match = re.exec(m[1])) !== null) {
    out.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match[2]);
    if (match[3] === "") break;
  }
  return out.length ? out : [""];
}

/** `<column>=<value>` as a filter, or PostgREST's PGRST100 for a value that isn't one. */
export function parseFilter(column: string, value: string): Filter | FilterError {
  const not = value.startsWith("not.");
  const rest = not ? value.slice(4) : value;
  const dot = rest.indexOf(".");
  const op = dot < 0 ? rest : rest.slice(0, dot);
  const operand = dot < 0 ? undefined : rest.slice(dot + 1);
  if (operand === undefined) return failed(value);
  if (op === "in") {
    const values = listValues(operand);
    if (!values) return failed(value);
    if (values.length === 1 && values[0] === "") {
      return { column, not, operation: "= ANY('{}')" };
    }
    const literal = `{${values.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;
    return { column, not, operation: "= ANY ($?)", value: literal };
  }
  if (op === "is") {
    const is = IS[operand.toLowerCase()];
    return is ? { column, not, operation: `IS ${is}` } : failed(value);
  }
  if (op === "isdistinct") return { column, not, operation: "IS DISTINCT FROM $?", value: operand };
  if (op in SIMPLE) return { column, not, operation: `${SIMPLE[op]} $?`, value: operand };
  if (op in QUANT) {
    // like and ilike take `*` for `%`.
    const v = op === "like" || op === "ilike" ? operand.replaceAll("*", "%") : operand;
    return { column, not, operation: `${QUANT[op]} $?`, value: v };
  }
  return failed(value);
}

/** `where ...` for the filters on `alias`, their values appended to `params`; "" for none. */
export function whereSql(filters: Filter[], alias: string, params: (string | null)[]): string {
  if (!filters.length) return "";
  const terms = filters.map((f) => {
    let operation = f.operation;
    if (f.value !== undefined) {
      params.push(f.value);
      operation = operation.replace("$?", `$${params.length}`);
    }
    const column = `${alias}."${f.column.replaceAll('"', '""')}"`;
    return `${f.not ? "NOT " : ""}${column} ${operation}`;
  });
  return `where ${terms.join(" and ")}`;
}
