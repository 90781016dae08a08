/**
 * Markdown of exercise and workshop files (tasks, hints, introductions) as HTML, at build time.
 * micromark is CommonMark and escapes raw HTML by default, so a file cannot inject markup.
 */
import { micromark } from 'micromark';

/** A block of Markdown as HTML. */
export function markdownToHtml(markdown: string): string {
  return micromark(markdown);
}

/** One line of Markdown (a hint) as inline HTML, without the paragraph around it. */
export function inlineMarkdownToHtml(markdown: string): string {
  return micromark(markdown)
    .trim()
    .replace(/^<p>([\s\S]*)<\/p>$/, '$1');
}
