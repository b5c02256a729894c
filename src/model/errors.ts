/**
 * One error style for the whole library: `<Construct>: '<prop>' (<value>) <problem>; <fix>`.
 * Plain `Error`s, thrown eagerly at construction (aws-cdk DESIGN_GUIDELINES "Errors").
 */

/** Renders a user value for a message: strings verbatim, everything else as compact JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  return JSON.stringify(value);
}

/** Throws `<construct>: <message>`. */
export function fail(construct: string, message: string): never {
  throw new Error(`${construct}: ${message}`);
}

/**
 * `e` with the construct's path after its name (`IstioCustomCa (mesh/istio-ca): …`), so that an error names which
 * construct of the program is wrong; other errors are returned unchanged.
 */
export function withPath(e: unknown, construct: string, path: string): unknown {
  if (!(e instanceof Error) || !e.message.startsWith(`${construct}: `)) return e;
  const out = new Error(`${construct} (${path}): ${e.message.slice(construct.length + 2)}`);
  out.stack = `Error: ${out.message}\n${(e.stack ?? '').split('\n').slice(1).join('\n')}`;
  return out;
}

/** Throws when `problem` is defined; `problem` is a full message without the construct prefix. */
export function check(construct: string, problem: string | undefined): void {
  if (problem !== undefined) fail(construct, problem);
}

/**
 * Throws one error for all the `problems` that are defined: the message of a single problem is unchanged; several are
 * numbered in one message, so that a user fixes independent props in one round.
 */
export function checkAll(construct: string, problems: readonly (string | undefined)[]): void {
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length === 1) fail(construct, found[0]);
  if (found.length > 1) fail(construct, `${found.length} problems: ${found.map((p, i) => `(${i + 1}) ${p}`).join('; ')}`);
}

/**
 * The unresolved-token markers of cdktf: `${TfToken[…]}` for strings and `#{TfToken[…]}` for string lists
 * (cdktf lib/tokens/private/encoding.ts). Such a value must never reach cdk8s output.
 */
const TF_TOKEN = /[$#]\{TfToken\[/;

/** Problem text when a string carries a cdktf token, else undefined. */
export function tokenProblem(prop: string, value: string | undefined): string | undefined {
  if (typeof value !== 'string' || !TF_TOKEN.test(value)) return undefined;
  return `'${prop}' (${value}) is an unresolved cdktf token, which cdk8s would write verbatim; ` +
    'pass the plain value from your typed config instead of a Terraform attribute';
}

/** True for objects that own a construct tree node (constructs are checked where they are built, not walked). */
function isConstruct(x: object): boolean {
  return 'node' in x && typeof (x as { node?: unknown }).node === 'object' && Symbol.for('constructs.Construct') in x;
}

/**
 * Problem text for the first string anywhere in `props` (plain objects, arrays, and the fields of option classes such
 * as `IssuerSource`, but not constructs) that carries a cdktf token, naming its path, else undefined.
 */
export function deepTokenProblem(props: unknown, path = 'props', listTokensOnly = false): string | undefined {
  const seen = new Set<object>();
  const walk = (v: unknown, at: string): string | undefined => {
    if (typeof v === 'string') {
      if (listTokensOnly && !v.includes('#{TfToken[')) return undefined;
      return tokenProblem(at, v);
    }
    if (typeof v !== 'object' || v === null || seen.has(v) || isConstruct(v)) return undefined;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) { const p = walk(v[i], `${at}[${i}]`); if (p) return p; }
      return undefined;
    }
    for (const [k, x] of Object.entries(v)) { const p = walk(x, at === 'props' ? k : `${at}.${k}`); if (p) return p; }
    return undefined;
  };
  return walk(props, path);
}
