/** Writes each generated document as `<slug>.md` and `<slug>.html` into a folder. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtml, renderMarkdown, type GeneratedDocument } from './render.ts';

export interface WrittenDocument {
  title: string;
  markdown: string;
  html: string;
}

export function writeDocuments(
  docs: readonly GeneratedDocument[],
  outDir: string
): WrittenDocument[] {
  mkdirSync(outDir, { recursive: true });
  return docs.map((d) => {
    const markdown = join(outDir, `${d.slug}.md`);
    const html = join(outDir, `${d.slug}.html`);
    writeFileSync(markdown, renderMarkdown(d));
    writeFileSync(html, renderHtml(d));
    return { title: d.title, markdown, html };
  });
}
