/** One JSON line per request. Callers pass only safe fields: never a token, key or signed URL. */

export interface RequestLog {
  request_id: string;
  method: string;
  path: string;
  status: number;
  code?: string;
  sub?: string | null;
  role?: string;
  view?: string;
  signed?: boolean;
  recordings?: number;
  upstream_failure?: string;
  rpc_ms?: number;
  sign_ms?: number;
  total_ms: number;
  bytes: number;
  gzip: boolean;
}

export type Logger = (entry: RequestLog) => void;

export const jsonLogger: Logger = (entry) =>
  console.log(JSON.stringify({ level: "info", msg: "request", ...entry }));
