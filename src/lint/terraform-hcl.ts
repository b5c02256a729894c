/**
 * Terraform HCL (`.tf`) for the linter, converted to the array-per-block JSON that `@cdktf/hcl2json` produces (the
 * form `ContextIndex` reads). The converter is optional, installed beside the package (it is no jsii module, so not a
 * peer): without it `.tf` files are reported once as not read, never parsed as YAML.
 */
import { readText } from './files';

/** A `.tf` file: its text and Terraform JSON, or why it could not be read (as the input rule that reports it). */
export interface HclFile {
  readonly text?: string;
  readonly data?: Record<string, any>;
  readonly problem?: { readonly id: 'ICA900' | 'ICA901'; readonly message: string };
}

type Hcl2Json = { parse(file: string, text: string): Promise<Record<string, any>> };

function loadConverter(): Hcl2Json | undefined {
  try {
    return require('@cdktf/hcl2json') as Hcl2Json;
  } catch {
    return undefined;
  }
}

/**
 * Converts each `.tf` file (one at a time: the converter is a WebAssembly module with one instance); undefined when
 * the converter is not installed.
 */
export async function convertHclFiles(files: readonly string[]): Promise<Map<string, HclFile> | undefined> {
  const converter = files.length > 0 ? loadConverter() : undefined;
  if (!converter) return files.length > 0 ? undefined : new Map();
  const out = new Map<string, HclFile>();
  for (const file of files) {
    const { text, problem } = readText(file);
    if (problem !== undefined) {
      out.set(file, { problem: { id: 'ICA901', message: `${file} ${problem}` } });
      continue;
    }
    try {
      out.set(file, { text, data: await converter.parse(file, text!) });
    } catch (e) {
      out.set(file, { text, problem: { id: 'ICA900', message: `${file} is not valid HCL: ${String((e as Error).message ?? e).split('\n')[0]}` } });
    }
  }
  return out;
}

/**
 * The line of a path in HCL text, found by the block header (`resource "type" "name"`) and then the first attribute
 * or block named by the path below it: enough to point a reviewer at the place, without an HCL syntax tree.
 */
export function hclLine(text: string): (path: readonly (string | number)[]) => number | undefined {
  const lineAt = (offset: number) => text.slice(0, offset).split('\n').length;
  return (path) => {
    const [block, type, name, ...rest] = path;
    if (typeof block !== 'string' || typeof type !== 'string') return undefined;
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const header = new RegExp(`^\\s*${esc(block)}\\s+"${esc(type)}"${typeof name === 'string' ? `\\s+"${esc(name)}"` : ''}\\s*\\{`, 'm').exec(text);
    if (!header) return undefined;
    let at = header.index + header[0].length;
    const keys = rest.filter((k): k is string => typeof k === 'string');
    for (const key of keys) {
      // an HCL attribute or block, or a YAML key inside a heredoc of values
      const m = new RegExp(`^\\s*"?${esc(key)}"?\\s*(=|\\{|:)`, 'm').exec(text.slice(at));
      if (!m) {
        // a Helm `set` name holds the rest of the path in one string ("pilot.env.X"): point at its last key
        const last = keys.length > 0 ? text.indexOf(keys[keys.length - 1], at) : -1;
        if (last >= 0) at = last;
        break;
      }
      at += m.index + m[0].length;
    }
    return lineAt(at);
  };
}
