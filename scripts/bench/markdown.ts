/** Markdown helpers for BENCHMARKS.md. */

/** A GitHub-flavoured table; the first column is left-aligned, the others right-aligned. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const align = headers.map((_, i) => (i === 0 ? '---' : '---:'));
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(align), ...rows.map(line)].join('\n');
}

/** `met` / `**not met**`. */
export function verdict(met: boolean): string {
  return met ? 'met' : '**not met**';
}
