/**
 * Checks of what goes into a Prometheus rule file, so that every file the library writes passes
 * `promtool check rules`: PromQL through Prometheus' own grammar (the Lezer parser the Prometheus UI uses,
 * https://github.com/prometheus/prometheus/tree/main/web/ui/module/lezer-promql), and Go text/template actions in
 * annotations balanced.
 */
import { parser } from '@prometheus-io/lezer-promql';

/** Problem text when `expr` is not PromQL that Prometheus parses, else undefined. */
export function promqlProblem(prop: string, expr: string): string | undefined {
  if (typeof expr !== 'string' || expr.trim() === '') return `'${prop}' (${String(expr)}) is empty; give a PromQL expression`;
  let at = -1;
  let durationNumber = -1;
  parser.parse(expr).iterate({
    enter: (n) => {
      if (at < 0 && n.type.isError) at = n.from;
      // Prometheus 3 reads `2d` as a number of seconds; Prometheus 2 (and its promtool) rejects a duration outside
      // a range, offset or subquery, so the rule must not use one.
      const text = expr.slice(n.from, n.to);
      if (durationNumber < 0 && n.type.name === 'NumberDurationLiteral' && !/^0x/i.test(text) && /\d(ms|s|m|h|d|w|y)$/.test(text)) durationNumber = n.from;
    },
  });
  if (at >= 0) return `'${prop}' (${expr}) is not valid PromQL (parse error at character ${at + 1}); Prometheus and promtool would reject the rule file`;
  if (durationNumber >= 0) {
    return `'${prop}' (${expr}) uses a duration as a number at character ${durationNumber + 1}, which Prometheus 2 rejects; write the ` +
      'number of seconds';
  }
  return undefined;
}

/** Problem text when `text` has an unbalanced Go template action (`{{` without `}}`, or nested), else undefined. */
export function templateProblem(prop: string, text: string): string | undefined {
  if (typeof text !== 'string') return `'${prop}' (${String(text)}) must be text`;
  let depth = 0;
  for (let i = 0; i < text.length - 1; i++) {
    const two = text.slice(i, i + 2);
    if (two === '{{') { depth++; i++; if (depth > 1) break; } else if (two === '}}') { depth--; i++; if (depth < 0) break; }
  }
  if (depth === 0) return undefined;
  return `'${prop}' (${text}) has an unbalanced template action ('{{' … '}}'); Prometheus expands annotations as Go templates, ` +
    "so promtool would reject the rule file; balance the braces or write '{{ \"{{\" }}' for a literal";
}
