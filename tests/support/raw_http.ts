/**
 * HTTP/1.1 over a bare TCP socket, for requests fetch() won't send: a path with `..` kept as
 * written, a lower-case or TRACE method, a body that ends before its Content-Length, a malformed
 * chunk, a body announced and never sent.
 */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** ms from the request written to the answer read. */
  ms: number;
}

export interface RawOptions {
  /** Bytes sent after the head (the request's body, as much of it as the test wants sent). */
  body?: string;
  /** Close the sending side after writing: the server sees the request end there. */
  halfClose?: boolean;
  /** Give up reading after this long (ms); the answer is then status 0. */
  timeoutMs?: number;
}

/** Sends `head` (a request line and headers, CRLF-separated, without the blank line) to `url`. */
export async function rawRequest(
  url: string,
  head: string,
  options: RawOptions = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const started = performance.now();
  try {
    await write(conn, `${head}\r\n\r\n${options.body ?? ""}`);
    if (options.halfClose) await conn.closeWrite();
    const raw = await readUntilDone(conn, options.timeoutMs ?? 10_000, head.startsWith("HEAD "));
    return { ...parse(raw), ms: performance.now() - started };
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

async function write(conn: Deno.Conn, text: string) {
  const bytes = new TextEncoder().encode(text);
  for (let sent = 0; sent < bytes.length;) sent += await conn.write(bytes.subarray(sent));
}

/** Reads until the peer closes, a whole answer has arrived (by its framing), or the timeout. */
async function readUntilDone(conn: Deno.Conn, timeoutMs: number, head: boolean): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  const buf = new Uint8Array(64 * 1024);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const n = await Promise.race([
      conn.read(buf).catch(() => null),
      new Promise<"late">((r) => timer = setTimeout(() => r("late"), deadline - Date.now())),
    ]).finally(() => clearTimeout(timer));
    if (n === "late" || n === null) break;
    text += decoder.decode(buf.subarray(0, n), { stream: true });
    if (complete(text, head)) break;
  }
  return text;
}

/** Whether a whole answer is in: its head, and the body its framing announces (none for HEAD). */
function complete(text: string, headOnly: boolean): boolean {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const head = text.slice(0, end).toLowerCase();
  if (headOnly || /^http\/1\.1 (1\d\d|204|304)/.test(head)) return true;
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head)?.[1];
  if (length !== undefined) {
    return new TextEncoder().encode(text.slice(end + 4)).length >= Number(length);
  }
  if (/\r\ntransfer-encoding:\s*chunked/.test(head)) return text.endsWith("0\r\n\r\n");
  return false;
}

function parse(raw: string): Omit<RawAnswer, "ms"> {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return { status: 0, headers: {}, body: raw };
  const [statusLine, ...lines] = raw.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(":");
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = raw.slice(end + 4);
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) body = dechunk(body);
  return { status: Number(statusLine.split(" ")[1]), headers, body };
}

function dechunk(body: string): string {
  let out = "";
  let i = 0;
  while (i < body.length) {
    const nl = body.indexOf("\r\n", i);
    const size = parseInt(body.slice(i, nl), 16);
    if (!size) break;
    out += body.slice(nl + 2, nl + 2 + size);
    i = nl + 2 + size + 2;
  }
  return out;
}
