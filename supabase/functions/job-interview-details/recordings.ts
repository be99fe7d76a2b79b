/**
 * Signed URLs spliced into the RPC's JSON bytes. One pass over the document finds the recording
 * paths (session, video introduction, each transcript item) and where each object closes; the
 * URLs are then inserted before those braces. Everything else, the raw assessment data above
 * all, is copied as bytes: never decoded, parsed or re-serialised. The pass also checks the
 * document's structure, so a malformed answer is refused rather than passed on. Pure.
 */

import type { Bytes } from "./upstream.ts";

const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c;
const OPEN_OBJ = 0x7b, CLOSE_OBJ = 0x7d, OPEN_ARR = 0x5b, CLOSE_ARR = 0x5d;

export interface ObjectMap {
  /** Offset of the object's closing brace. */
  end: number;
  /** Whether the object has at least one member (an insertion then needs a leading comma). */
  members: boolean;
  /** `recording_local_path` as found: a string, null, or undefined when the key is absent. */
  path?: string | null;
}

export interface DocumentMap {
  top: ObjectMap & { introPath?: string | null };
  items: ObjectMap[];
}

class Malformed extends Error {}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Maps the document, or returns undefined when it is not a well-formed JSON object. */
export function mapDocument(bytes: Uint8Array): DocumentMap | undefined {
  let i = 0;
  const n = bytes.length;
  const ws = () => {
    while (i < n && isSpace(bytes[i])) i++;
  };
  const expect = (b: number) => {
    ws();
    if (bytes[i] !== b) throw new Malformed();
    i++;
  };
  /** Skips a string starting at its opening quote; returns [start, end) of its JSON text. */
  const skipString = (): [number, number] => {
    const start = i++;
    while (i < n) {
      const b = bytes[i++];
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) return [start, i];
      else if (b < 0x20) throw new Malformed();
    }
    throw new Malformed();
  };
  const readString = (): string => {
    const [s, e] = skipString();
    return JSON.parse(new TextDecoder().decode(bytes.subarray(s, e)));
  };
  /** Skips any value; containers by bracket depth, aware of strings. */
  const skipValue = () => {
    ws();
    const b = bytes[i];
    if (b === QUOTE) return void skipString();
    if (b === OPEN_OBJ || b === OPEN_ARR) {
      const stack: number[] = [];
      while (i < n) {
        const c = bytes[i];
        if (c === QUOTE) {
          skipString();
          continue;
        }
        if (c === OPEN_OBJ || c === OPEN_ARR) stack.push(c);
        else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
          if (stack.pop() !== (c === CLOSE_OBJ ? OPEN_OBJ : OPEN_ARR)) throw new Malformed();
          if (stack.length === 0) return void i++;
        }
        i++;
      }
      throw new Malformed();
    }
    // A number, true, false or null: up to the next delimiter.
    const start = i;
    while (
      i < n && !isSpace(bytes[i]) && bytes[i] !== COMMA && bytes[i] !== CLOSE_OBJ &&
      bytes[i] !== CLOSE_ARR
    ) i++;
    const literal = new TextDecoder().decode(bytes.subarray(start, i));
    if (!/^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)$/.test(literal)) {
      throw new Malformed();
    }
  };
  /** A string or null value (a path); anything else is skipped and counts as no path. */
  const readPath = (): string | null => {
    ws();
    if (bytes[i] === QUOTE) return readString();
    skipValue();
    return null;
  };
  /** Walks an object's members; `onMember` consumes the value of keys it wants. */
  const walkObject = (onMember: (key: string) => boolean): ObjectMap => {
    expect(OPEN_OBJ);
    ws();
    let members = false;
    if (bytes[i] !== CLOSE_OBJ) {
      while (true) {
        ws();
        if (bytes[i] !== QUOTE) throw new Malformed();
        const key = readString();
        expect(COLON);
        if (!onMember(key)) skipValue();
        members = true;
        ws();
        if (bytes[i] === COMMA) {
          i++;
          continue;
        }
        if (bytes[i] === CLOSE_OBJ) break;
        throw new Malformed();
      }
    }
    const end = i++;
    return { end, members };
  };

  try {
    const items: ObjectMap[] = [];
    let path: string | null | undefined;
    let introPath: string | null | undefined;
    const top = walkObject((key) => {
      if (key === "recording_local_path") path = readPath();
      else if (key === "video_introduction_local_path") introPath = readPath();
      else if (key === "transcript") {
        ws();
        if (bytes[i] !== OPEN_ARR) return false;
        i++;
        ws();
        if (bytes[i] === CLOSE_ARR) return void i++, true;
        while (true) {
          ws();
          if (bytes[i] !== OPEN_OBJ) throw new Malformed();
          let itemPath: string | null | undefined;
          const item = walkObject((k) =>
            k === "recording_local_path" ? (itemPath = readPath(), true) : false
          );
          items.push({ ...item, path: itemPath });
          ws();
          if (bytes[i] === COMMA) {
            i++;
            continue;
          }
          if (bytes[i] === CLOSE_ARR) return void i++, true;
          throw new Malformed();
        }
      } else return false;
      return true;
    });
    ws();
    if (i !== n) throw new Malformed();
    return { top: { ...top, path, introPath }, items };
  } catch (e) {
    if (e instanceof Malformed || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

const isPath = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/** Every distinct non-empty path: the session, the video introduction, each answer. */
export function recordingPaths(map: DocumentMap): string[] {
  const paths = new Set<string>();
  for (const p of [map.top.path, map.top.introPath, ...map.items.map((i) => i.path)]) {
    if (isPath(p)) paths.add(p);
  }
  return [...paths];
}

/**
 * The document with `recording_url`, `video_introduction_url`, each item's `recording_url`
 * (items that carry `recording_local_path`, i.e. not in the summary view) and
 * `signed_urls_valid_until` added; null where a path has no signed URL.
 */
export function insertSignedUrls(
  bytes: Bytes,
  map: DocumentMap,
  urls: ReadonlyMap<string, string | null>,
  validUntil: Date,
): Bytes {
  const urlOf = (path: string | null | undefined) =>
    JSON.stringify(isPath(path) ? urls.get(path) ?? null : null);
  const encoder = new TextEncoder();
  const inserts: [number, Uint8Array][] = [];
  for (const item of map.items) {
    if (item.path === undefined) continue;
    inserts.push([
      item.end,
      encoder.encode(`${item.members ? "," : ""}"recording_url":${urlOf(item.path)}`),
    ]);
  }
  inserts.push([
    map.top.end,
    encoder.encode(
      `${map.top.members ? "," : ""}"recording_url":${
        urlOf(map.top.path)
      },"video_introduction_url":${urlOf(map.top.introPath)},"signed_urls_valid_until":${
        JSON.stringify(validUntil.toISOString())
      }`,
    ),
  ]);
  const out = new Uint8Array(bytes.length + inserts.reduce((n, [, b]) => n + b.length, 0));
  let from = 0;
  let to = 0;
  for (const [at, insert] of inserts) {
    out.set(bytes.subarray(from, at), to);
    to += at - from;
    out.set(insert, to);
    to += insert.length;
    from = at;
  }
  out.set(bytes.subarray(from), to);
  return out;
}
