import { Yaml } from 'cdk8s';
import { Document } from 'yaml';

/**
 * YAML text of documents, byte for byte what cdk8s `Yaml.stringify` writes (yaml 2.x, YAML 1.1 schema, no line
 * folding; cdk8s lib/yaml.ts), but written directly for the documents that most manifests are: plain maps and lists of
 * integers, booleans, null and strings the yaml package writes plain or in plain double quotes. Any other document (a float,
 * a string that needs quotes or a block, a shared object the yaml package would write as an alias) goes to cdk8s
 * unchanged. A property test compares both on random documents.
 */
export function manifestYaml(...docs: unknown[]): string {
  return docs.map((d) => (d === undefined ? '\n' : directYaml(d) ?? Yaml.stringify(d))).join('---\n');
}

/**
 * What keeps a string from being written plain, as yaml 2.9.1 decides it (src/stringify/stringifyString.ts,
 * plainString): an indicator first, `: ` or ` #` inside, an edge space or colon.
 */
const NEEDS_QUOTES = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/**
 * Left to the yaml package: a document marker at the start (yaml containsDocumentMarker: a block at the top level) and
 * the merge key `<<`, written plain although the YAML 1.1 schema lists it.
 */
const LEFT_TO_YAML = /^(?:%|---|\.\.\.|<<$)/;
/** The strings YAML 1.1 reads as another type (null, bool, int, float, timestamp, merge): quoted by the yaml package. */
const OTHER_TYPE = new RegExp(new Document(undefined, { version: '1.1' }).schema.tags
  .filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test)
  .map((t) => `(?:${t.test!.source})`).join('|'));
/** Printable ASCII on one line; anything else (control characters, line breaks, non-ASCII) is left to the yaml package. */
const PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * How the yaml package writes a string, key or value, when that is certain: plain, or in double quotes when it cannot
 * be plain and holds no `"` or `\\` (yaml quotedString picks double quotes then, and JSON escaping changes nothing).
 * Keys over 1024 characters would become explicit keys; long strings are left to the yaml package.
 */
function stringText(s: string): string | undefined {
  if (s.length > 1000 || !PRINTABLE.test(s) || LEFT_TO_YAML.test(s)) return undefined;
  if (s !== '' && !NEEDS_QUOTES.test(s) && !OTHER_TYPE.test(s)) return s;
  return s.includes('"') || s.includes('\\') ? undefined : `"${s}"`;
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return stringText(v);
  if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0) ? String(v) : undefined;
  if (typeof v === 'boolean') return String(v);
  return v === null ? 'null' : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Thrown inside the writer when a document needs the yaml package. */
const NOT_PLAIN = Symbol('not plain');

/** The document's YAML text, or undefined when only the yaml package can write it the same way (exported for tests). */
export function directYaml(doc: unknown): string | undefined {
  if (!isPlainObject(doc) || Object.keys(doc).length === 0) return undefined;
  const out: string[] = [];
  const seen = new Set<object>();
  try {
    writeMap(doc, '', out, seen);
  } catch (e) {
    if (e === NOT_PLAIN) return undefined;
    throw e;
  }
  return out.join('');
}

function enter(v: object, seen: Set<object>): void {
  if (seen.has(v)) throw NOT_PLAIN; // the yaml package writes a repeated object as an anchor and alias
  seen.add(v);
}

/**
 * The text after `key:` or `- `: a scalar or an empty collection inline, else undefined (a newline and the block). An
 * empty collection is an object too: the yaml package aliases it when it is shared.
 */
function inlineValue(v: unknown, seen: Set<object>): string | undefined {
  const s = scalarText(v);
  if (s !== undefined) return s;
  let empty: string | undefined;
  if (Array.isArray(v)) empty = v.length === 0 ? '[]' : undefined;
  else if (isPlainObject(v)) empty = Object.keys(v).length === 0 ? '{}' : undefined;
  else throw NOT_PLAIN;
  if (empty !== undefined) enter(v, seen);
  return empty;
}

function writeMap(map: Record<string, unknown>, indent: string, out: string[], seen: Set<object>, firstPrefix?: string): void {
  enter(map, seen);
  let first = true;
  for (const key of Object.keys(map)) {
    const value = map[key];
    const keyText = stringText(key);
    if (keyText === undefined) throw NOT_PLAIN;
    out.push(first && firstPrefix !== undefined ? firstPrefix : indent, keyText, ':');
    first = false;
    writeValue(value, indent, out, seen);
  }
}

/** A map's value: inline, or on the next lines (lists indented by two more, as the yaml package does). */
function writeValue(value: unknown, indent: string, out: string[], seen: Set<object>): void {
  const inline = inlineValue(value, seen);
  if (inline !== undefined) {
    out.push(' ', inline, '\n');
    return;
  }
  out.push('\n');
  if (Array.isArray(value)) writeList(value, `${indent}  `, out, seen);
  else writeMap(value as Record<string, unknown>, `${indent}  `, out, seen);
}

function writeList(list: unknown[], indent: string, out: string[], seen: Set<object>): void {
  enter(list, seen);
  for (const item of list) {
    const inline = inlineValue(item, seen);
    if (inline !== undefined) {
      out.push(indent, '- ', inline, '\n');
    } else if (isPlainObject(item)) {
      writeMap(item, `${indent}  `, out, seen, `${indent}- `);
    } else {
      throw NOT_PLAIN; // a list in a list: rare in manifests, left to the yaml package
    }
  }
}
