import { describe, expect, it } from 'vitest';
import { exercises } from '../../../content/exercises/index';
import { plainText, workshopOrders } from '../../../src/exercises/catalogue';
import { inlineMarkdownToHtml, markdownToHtml } from '../../../src/exercises/markdown';
import { badgeText } from '../../../src/exercises/progress-badges';
import { workshopCatalogue } from '../../../simulator/exercises/index';

// What the exercise and workshop pages derive from the files: HTML from Markdown (raw HTML
// escaped), one-line descriptions, the badge a list shows, and workshop ids that leave room for the
// shared workshop page.

describe('exercise pages: text', () => {
  const rows: { name: string; markdown: string; html: string }[] = [
    {
      name: 'inline code and emphasis',
      markdown: 'Run `kubectl get pods` **now**.',
      html: 'Run <code>kubectl get pods</code> <strong>now</strong>.',
    },
    {
      name: 'raw HTML escaped',
      markdown: 'a <script>alert(1)</script> b',
      html: 'a &lt;script&gt;alert(1)&lt;/script&gt; b',
    },
  ];
  it.each(rows.map((row) => [row.name, row] as const))('renders a hint with %s', (_name, row) => {
    expect(inlineMarkdownToHtml(row.markdown)).toBe(row.html);
  });

  it('renders a task’s list as a list', () => {
    expect(markdownToHtml('Do this:\n\n1. one\n2. two')).toContain('<ol>\n<li>one</li>');
  });

  it('flattens Markdown to a description cut at a word', () => {
    expect(plainText('Deploy `yamls/helloworld.yaml`\nand **then** wait.', 100)).toBe(
      'Deploy yamls/helloworld.yaml and then wait.',
    );
    expect(plainText('one two three four', 9)).toBe('one two…');
  });
});

describe('exercise lists: the badge', () => {
  const rows: { name: string; summary: Parameters<typeof badgeText>[0]; text: string }[] = [
    {
      name: 'new',
      summary: { solved: false, started: false, hintsTaken: 0, solutionShown: false },
      text: 'Not started',
    },
    {
      name: 'started with a hint',
      summary: { solved: false, started: true, hintsTaken: 1, solutionShown: false },
      text: 'Started (1 hint)',
    },
    {
      name: 'solved after the solution',
      summary: { solved: true, started: true, hintsTaken: 2, solutionShown: true },
      text: 'Solved (2 hints, solution shown)',
    },
  ];
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    expect(badgeText(row.summary)).toBe(row.text);
  });
});

describe('workshops: ids', () => {
  it('leave "shared" to the page of workshops handed out as links', () => {
    expect(() =>
      workshopCatalogue([{ id: 'shared', title: 'T', intro: '', exercises: ['see-a-drop'] }], exercises),
    ).toThrow(/"shared" is the page of shared workshops/);
  });

  it('give every exercise page the order of each workshop it belongs to', () => {
    expect(workshopOrders['mistaken-identity']?.[0]).toBe('see-a-drop');
  });
});
