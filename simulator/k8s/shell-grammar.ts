/**
 * The grammar of POSIX 2.10 (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_10)
 * over shell-syntax.ts's tokens, by recursive descent: a list of and-or lists of pipelines of
 * commands. Reserved words are recognised only where a command starts (2.4), and only unquoted.
 */
import {
  ShellSyntaxError,
  tokenize,
  type AndOr,
  type Command,
  type List,
  type Pipeline,
  type Redirection,
  type Token,
  type Word,
} from './shell-syntax';

const redirectionOperators = new Set(['>', '>>', '<', '>&', '<&']);
const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=/;

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private isOperator(text: string): boolean {
    const token = this.peek();
    return token?.kind === 'operator' && token.text === text;
  }

  /** Whether the next token is this reserved word (an unquoted word of exactly that text). */
  private isReserved(word: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.raw === word;
  }

  private expectReserved(word: string): void {
    if (!this.isReserved(word)) throw new ShellSyntaxError(`syntax error: expected "${word}"`);
    this.position += 1;
  }

  private skipNewlines(): void {
    while (this.isOperator('\n')) this.position += 1;
  }

  /** A compound list up to one of the closing words (or the end of the script, with none). */
  list(closers: readonly string[]): List {
    const list: List = [];
    for (;;) {
      while (this.isOperator('\n') || this.isOperator(';')) this.position += 1;
      const token = this.peek();
      if (token === undefined || closers.some((closer) => this.isReserved(closer) || this.isOperator(closer)))
        return list;
      const andOr = this.andOr();
      if (this.isOperator('&')) {
        andOr.background = true;
        this.position += 1;
      } else if (!this.isOperator(';') && !this.isOperator('\n') && !this.isOperator(';;')) {
        const next = this.peek();
        if (
          next !== undefined &&
          !closers.some((closer) => this.isReserved(closer) || this.isOperator(closer))
        )
          throw new ShellSyntaxError(`syntax error near ${next.kind === 'word' ? next.raw : next.text}`);
      }
      list.push(andOr);
    }
  }

  private andOr(): AndOr {
    const result: AndOr = { first: this.pipeline(), rest: [], background: false };
    for (;;) {
      const operator = this.isOperator('&&') ? '&&' : this.isOperator('||') ? '||' : undefined;
      if (operator === undefined) return result;
      this.position += 1;
      this.skipNewlines();
      result.rest.push({ operator, pipeline: this.pipeline() });
    }
  }

  private pipeline(): Pipeline {
    const negated = this.isReserved('!');
    if (negated) this.position += 1;
    const commands = [this.command()];
    while (this.isOperator('|')) {
      this.position += 1;
      this.skipNewlines();
      commands.push(this.command());
    }
    return { negated, commands };
  }

  private command(): Command {
    if (this.isReserved('for')) return this.forCommand();
    if (this.isReserved('while') || this.isReserved('until')) return this.loop();
    if (this.isReserved('if')) return this.ifCommand();
    if (this.isReserved('case')) return this.caseCommand();
    if (this.isReserved('{')) {
      this.position += 1;
      const body = this.list(['}']);
      this.expectReserved('}');
      return { kind: 'group', body, subshell: false };
    }
    if (this.isOperator('(')) {
      const next = this.tokens[this.position + 1];
      if (next?.kind === 'operator' && next.text === '(')
        throw new ShellSyntaxError('arithmetic commands are not modelled', true);
      this.position += 1;
      const body = this.list([')']);
      if (!this.isOperator(')')) throw new ShellSyntaxError('syntax error: expected ")"');
      this.position += 1;
      return { kind: 'group', body, subshell: true };
    }
    return this.simpleCommand();
  }

  private word(): Word {
    const token = this.peek();
    if (token?.kind !== 'word') throw new ShellSyntaxError('syntax error: expected a word');
    this.position += 1;
    return token.word;
  }

  private forCommand(): Command {
    this.position += 1;
    const name = this.peek();
    // bash's `for ((i = 0; …))`, which ash refuses and bash runs: not modelled either way.
    if (name?.kind === 'operator' && name.text === '(')
      throw new ShellSyntaxError('arithmetic for loops are not modelled', true);
    if (name?.kind !== 'word' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name.raw))
      throw new ShellSyntaxError('syntax error: bad for loop variable');
    this.position += 1;
    this.skipNewlines();
    let items: Word[] | undefined;
    if (this.isReserved('in')) {
      this.position += 1;
      items = [];
      while (this.peek()?.kind === 'word') items.push(this.word());
    }
    if (this.isOperator(';')) this.position += 1;
    this.skipNewlines();
    return { kind: 'for', name: name.raw, items, body: this.doGroup() };
  }

  private doGroup(): List {
    this.expectReserved('do');
    const body = this.list(['done']);
    this.expectReserved('done');
    return body;
  }

  private loop(): Command {
    const until = this.isReserved('until');
    this.position += 1;
    const condition = this.list(['do']);
    return { kind: 'loop', until, condition, body: this.doGroup() };
  }

  private ifCommand(): Command {
    const branches: { condition: List; body: List }[] = [];
    let otherwise: List | undefined;
    this.position += 1;
    for (;;) {
      const condition = this.list(['then']);
      this.expectReserved('then');
      branches.push({ condition, body: this.list(['elif', 'else', 'fi']) });
      if (this.isReserved('elif')) this.position += 1;
      else break;
    }
    if (this.isReserved('else')) {
      this.position += 1;
      otherwise = this.list(['fi']);
    }
    this.expectReserved('fi');
    return { kind: 'if', branches, otherwise };
  }

  private caseCommand(): Command {
    this.position += 1;
    const subject = this.word();
    this.skipNewlines();
    this.expectReserved('in');
    const items: { patterns: Word[]; body: List }[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.isReserved('esac')) break;
      if (this.isOperator('(')) this.position += 1;
      const patterns = [this.word()];
      while (this.isOperator('|')) {
        this.position += 1;
        patterns.push(this.word());
      }
      if (!this.isOperator(')')) throw new ShellSyntaxError('syntax error: expected ")" in case');
      this.position += 1;
      items.push({ patterns, body: this.list([';;', 'esac']) });
      if (this.isOperator(';;')) this.position += 1;
    }
    this.expectReserved('esac');
    return { kind: 'case', subject, items };
  }

  private redirection(): Redirection | undefined {
    const token = this.peek();
    let descriptor: number | undefined;
    let offset = 0;
    if (token?.kind === 'word' && token.ioNumber) {
      descriptor = Number(token.raw);
      offset = 1;
    }
    const operator = this.tokens[this.position + offset];
    if (operator?.kind !== 'operator' || !redirectionOperators.has(operator.text)) return undefined;
    this.position += offset + 1;
    const target = this.word();
    return {
      operator: operator.text,
      descriptor: descriptor ?? (operator.text.startsWith('<') ? 0 : 1),
      target,
    };
  }

  private simpleCommand(): Command {
    const command: Extract<Command, { kind: 'simple' }> = {
      kind: 'simple',
      assignments: [],
      words: [],
      redirections: [],
    };
    for (;;) {
      const redirection = this.redirection();
      if (redirection !== undefined) {
        command.redirections.push(redirection);
        continue;
      }
      const token = this.peek();
      if (command.words.length === 1 && command.assignments.length === 0 && this.isOperator('('))
        throw new ShellSyntaxError('functions are not modelled', true);
      if (token?.kind !== 'word') break;
      const match = assignment.exec(token.raw);
      if (command.words.length === 0 && match !== null) {
        const name = match[1] ?? '';
        command.assignments.push({ name, value: withoutPrefix(token.word, name.length + 1) });
      } else command.words.push(token.word);
      this.position += 1;
    }
    if (command.words.length === 0 && command.assignments.length === 0 && command.redirections.length === 0) {
      const token = this.peek();
      throw new ShellSyntaxError(
        `syntax error: unexpected ${token === undefined ? 'end of file' : token.kind === 'word' ? token.raw : JSON.stringify(token.text)}`,
      );
    }
    return command;
  }
}

/** A word without its first `count` characters (an assignment's `NAME=`, which are plain text). */
function withoutPrefix(word: Word, count: number): Word {
  const [first, ...rest] = word;
  if (first?.kind !== 'text') return word;
  const text = first.text.slice(count);
  return text === '' && rest.length > 0 ? rest : [{ ...first, text }, ...rest];
}

/** The commands of a script; throws ShellSyntaxError for what the model does not read. */
export function parseScript(source: string): List {
  const parser = new Parser(tokenize(source));
  const list = parser.list([]);
  return list;
}
