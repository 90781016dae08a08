/**
 * Goal: every export of simulator/ and src/ is there for someone. A value (function, constant,
 * class) is exported only when another file of the repository names it; a type may stay exported
 * for its own module's signatures but must be used somewhere. Names are matched as words over the
 * source, tests, scripts and content, so a name another file merely mentions counts as used: the
 * check can miss a dead export, never report a live one.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = process.cwd();

/** Exports a framework reads by name, not an import. */
const readByTheFramework = new Set(['src/content.config.ts collections']);

function sourceFiles(directory: string, found: string[] = []): string[] {
  for (const name of readdirSync(directory)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(directory, name);
    if (statSync(path).isDirectory()) sourceFiles(path, found);
    else if (/\.(ts|mts|js|mjs|svelte|astro|mdx|md)$/.test(name)) found.push(path);
  }
  return found;
}

/** How often each word occurs in each file. */
function wordCounts(files: readonly string[]): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>();
  for (const file of files) {
    for (const [word] of readFileSync(file, 'utf8').matchAll(/[A-Za-z_$][\w$]*/g)) {
      const perFile = counts.get(word) ?? new Map<string, number>();
      perFile.set(file, (perFile.get(file) ?? 0) + 1);
      counts.set(word, perFile);
    }
  }
  return counts;
}

/** The names a module exports by declaration, and whether each is a type. */
function exportedDeclarations(file: string): { name: string; type: boolean }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const exported: { name: string; type: boolean }[] = [];
  for (const statement of source.statements) {
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
    if (modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) !== true) continue;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations)
        if (ts.isIdentifier(declaration.name)) exported.push({ name: declaration.name.text, type: false });
    } else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
      exported.push({ name: statement.name.text, type: true });
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name !== undefined
    ) {
      exported.push({ name: statement.name.text, type: false });
    }
  }
  return exported;
}

describe('exports: nothing exported for nobody', () => {
  it('finds every value named in another file and every type used somewhere', { timeout: 60_000 }, () => {
    const files = [
      ...['simulator', 'src', 'test', 'scripts', 'content'].flatMap((folder) =>
        sourceFiles(join(root, folder)),
      ),
      ...readdirSync(root)
        .filter((name) => /\.(ts|mjs|js)$/.test(name))
        .map((name) => join(root, name)),
    ];
    const counts = wordCounts(files);
    const unused: string[] = [];
    for (const file of files.filter((path) => /^(simulator|src)\/.*\.ts$/.test(relative(root, path)))) {
      for (const { name, type } of exportedDeclarations(file)) {
        const where = `${relative(root, file)} ${name}`;
        if (readByTheFramework.has(where)) continue;
        const perFile = counts.get(name) ?? new Map<string, number>();
        const inOwnFile = perFile.get(file) ?? 0;
        const elsewhere = [...perFile.values()].reduce((sum, count) => sum + count, 0) - inOwnFile;
        if (elsewhere === 0 && (!type || inOwnFile <= 1)) unused.push(where);
      }
    }
    expect(unused).toEqual([]);
  });
});
