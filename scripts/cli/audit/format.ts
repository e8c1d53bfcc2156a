// Small formatting helpers shared by the terminal, Markdown and HTML renderings of an audit.

/** Minutes as a short human duration: 45s, 12m, 3h 05m, 2d 04h. */
export function duration(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return '-';
  const neg = minutes < 0;
  const m = Math.abs(minutes);
  let s: string;
  if (m < 1) s = `${Math.round(m * 60)}s`;
  else if (m < 60) s = `${Math.round(m)}m`;
  else if (m < 24 * 60) {
    const h = Math.floor(m / 60);
    s = `${h}h ${String(Math.round(m - h * 60)).padStart(2, '0')}m`;
  } else {
    const d = Math.floor(m / 1440);
    s = `${d}d ${String(Math.round((m - d * 1440) / 60)).padStart(2, '0')}h`;
  }
  return neg ? `-${s}` : s;
}

export function pct(rate: number | null | undefined, digits = 0): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '-';
  return `${(rate * 100).toFixed(digits)}%`;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A bar of `width` cells for a 0..1 share, drawn with block characters. */
export function bar(share: number | null, width: number): string {
  if (share === null || !Number.isFinite(share)) return ' '.repeat(width);
  const cells = Math.max(0, Math.min(width, share * width));
  const full = Math.floor(cells);
  const parts = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
  const partial = parts[Math.round((cells - full) * 7)] ?? '';
  return ('█'.repeat(full) + partial).padEnd(width, ' ');
}
