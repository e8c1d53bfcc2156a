// Small formatting helpers shared by the terminal, Markdown and HTML renderings of an audit.

/** Minutes as a short human duration: 45s, 12m, 3h 05m, 2d 04h. */
export function duration(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return '-';
  const neg = minutes < 0;
  const m = Math.abs(minutes);
  let s: string;
  if (Math.round(m * 60) < 60) s = `${Math.round(m * 60)}s`;
  else if (Math.round(m) < 60) s = `${Math.max(1, Math.round(m))}m`;
  else if (Math.round(m) < 24 * 60) {
    const total = Math.round(m);
    s = `${Math.floor(total / 60)}h ${String(total % 60).padStart(2, '0')}m`;
  } else {
    const total = Math.round(m / 60);
    s = `${Math.floor(total / 24)}d ${String(total % 24).padStart(2, '0')}h`;
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
