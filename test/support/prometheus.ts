// Reading Prometheus's text format and PromQL, for the tests of what the processes serve
// (test/ops/metrics.test.ts) and of what the alert rules and the dashboard query
// (test/ops/dashboard.test.ts).
import { parser } from '@prometheus-io/lezer-promql';

export interface Sample {
  name: string;
  labels: string;
  value: number;
}

/** `name{labels} value` lines of a Prometheus text scrape. */
export function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(l);
      return m ? { name: m[1] ?? '', labels: m[2] ?? '', value: Number(m[3]) } : undefined;
    })
    .filter((s): s is Sample => s !== undefined);
}

/** Sum of a metric's samples whose labels contain every `label="value"` given. */
export function total(text: string, name: string, ...labels: string[]): number {
  return samples(text)
    .filter((s) => s.name === name && labels.every((l) => s.labels.includes(l)))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Metric names a PromQL expression selects, from the official grammar's syntax tree. */
export function selectedMetrics(expr: string): string[] {
  const tree = parser.parse(expr);
  const names: string[] = [];
  let error = false;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) error = true;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        names.push(expr.slice(node.from, node.to));
      }
    },
  });
  if (error) throw new Error(`not valid PromQL: ${expr}`);
  return names;
}

/**
 * Every series name a scrape serves or declares: the samples' names, and each `# TYPE`
 * line's metric (a labelled counter or gauge with no sample yet is declared and served
 * once it moves), with `_bucket`, `_sum` and `_count` for histograms (and `_sum`, `_count`
 * for summaries).
 */
export function servedNames(text: string): Set<string> {
  const names = new Set(samples(text).map((s) => s.name));
  for (const line of text.split('\n')) {
    const m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)/.exec(line);
    if (!m) continue;
    const [, name = '', type] = m;
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}
