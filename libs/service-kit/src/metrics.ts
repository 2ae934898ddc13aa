/** Renders counters as Prometheus text: `name{labels} value` lines with HELP/TYPE headers. */
export function renderMetrics(
  metrics: readonly {
    name: string;
    help: string;
    type: 'counter' | 'gauge';
    samples: readonly { labels?: Record<string, string>; value: number }[];
  }[],
): string {
  const lines: string[] = [];
  for (const metric of metrics) {
    lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
    for (const sample of metric.samples) {
      const labels = Object.entries(sample.labels ?? {})
        .map(([key, value]) => `${key}="${value.replace(/["\\\n]/g, '_')}"`)
        .join(',');
      lines.push(`${metric.name}${labels === '' ? '' : `{${labels}}`} ${sample.value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
