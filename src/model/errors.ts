/**
 * One error style for the whole library (DEVELOPERS.md): `<Construct>: '<prop>' (<value>) <problem>; <fix>`.
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

/** Throws when `problem` is defined; `problem` is a full message without the construct prefix. */
export function check(construct: string, problem: string | undefined): void {
  if (problem !== undefined) fail(construct, problem);
}

/** The unresolved-token marker of cdktf (construct-style.md §3.6): such a value must never reach cdk8s output. */
const TF_TOKEN = '${TfToken[';

/** Problem text when a string carries a cdktf token, else undefined. */
export function tokenProblem(prop: string, value: string | undefined): string | undefined {
  if (value === undefined || !value.includes(TF_TOKEN)) return undefined;
  return `'${prop}' (${value}) is an unresolved cdktf token, which cdk8s would write verbatim; ` +
    'pass the plain value from your typed config instead of a Terraform attribute';
}
