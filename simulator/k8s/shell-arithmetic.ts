/**
 * `$((…))` arithmetic (POSIX 2.6.4, https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_06_04):
 * signed integers with C's operators and precedence, variables read and assigned by bare name, as
 * busybox ash's shell/math.c evaluates them (with `**`, `++` and `--`, which ash and bash add).
 * Numbers are JavaScript integers, exact up to 2^53 where the shells use 64 bits.
 */

/** An arithmetic expression the shell refuses (`sh: arithmetic syntax error`, or division by zero). */
export class ArithmeticError extends Error {}

export interface ArithmeticVariables {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

type Token =
  { kind: 'number'; value: number } | { kind: 'name'; name: string } | { kind: 'operator'; text: string };

/** Longest operators first, so that `<<=` is read before `<<` and `<`. */
const operatorTexts = [
  '<<=',
  '>>=',
  '**',
  '++',
  '--',
  '<<',
  '>>',
  '<=',
  '>=',
  '==',
  '!=',
  '&&',
  '||',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '&',
  '|',
  '^',
  '!',
  '~',
  '?',
  ':',
  '=',
  '(',
  ')',
  ',',
];

/** An integer constant: decimal, 0x hexadecimal or 0 octal (POSIX, as in C). */
function parseConstant(text: string): number {
  const value = /^0[xX][0-9a-fA-F]+$/.test(text)
    ? Number.parseInt(text.slice(2), 16)
    : /^0[0-7]+$/.test(text)
      ? Number.parseInt(text, 8)
      : /^[0-9]+$/.test(text)
        ? Number(text)
        : Number.NaN;
  if (Number.isNaN(value)) throw new ArithmeticError('arithmetic syntax error');
  return value;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const rest = text.slice(index);
    const space = /^\s+/.exec(rest);
    const number = /^[0-9][0-9a-zA-Z]*/.exec(rest);
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (space !== null) index += space[0].length;
    else if (number !== null) {
      tokens.push({ kind: 'number', value: parseConstant(number[0]) });
      index += number[0].length;
    } else if (name !== null) {
      tokens.push({ kind: 'name', name: name[0] });
      index += name[0].length;
    } else {
      const operator = operatorTexts.find((candidate) => rest.startsWith(candidate));
      if (operator === undefined) throw new ArithmeticError('arithmetic syntax error');
      tokens.push({ kind: 'operator', text: operator });
      index += operator.length;
    }
  }
  return tokens;
}

/** Binary operators by precedence, loosest first (C's table, as shell/math.c orders them). */
const binaryLevels: readonly (readonly string[])[] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

const truncate = (value: number): number => Math.trunc(value);

function applyBinary(operator: string, left: number, right: number): number {
  switch (operator) {
    case '||':
      return left !== 0 || right !== 0 ? 1 : 0;
    case '&&':
      return left !== 0 && right !== 0 ? 1 : 0;
    case '|':
      return left | right;
    case '^':
      return left ^ right;
    case '&':
      return left & right;
    case '==':
      return left === right ? 1 : 0;
    case '!=':
      return left !== right ? 1 : 0;
    case '<':
      return left < right ? 1 : 0;
    case '<=':
      return left <= right ? 1 : 0;
    case '>':
      return left > right ? 1 : 0;
    case '>=':
      return left >= right ? 1 : 0;
    case '<<':
      return left << right;
    case '>>':
      return left >> right;
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '**':
      return right < 0 ? 0 : left ** right;
    default: {
      if (right === 0) throw new ArithmeticError('divide by zero');
      return operator === '/' ? truncate(left / right) : left % right;
    }
  }
}

class Evaluator {
  private position = 0;
  /** While > 0, operands are parsed but not evaluated (the untaken side of `&&`, `||`, `?:`). */
  private skipping = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly variables: ArithmeticVariables,
  ) {}

  private peekOperator(): string | undefined {
    const token = this.tokens[this.position];
    return token?.kind === 'operator' ? token.text : undefined;
  }

  private expect(text: string): void {
    if (this.peekOperator() !== text) throw new ArithmeticError('arithmetic syntax error');
    this.position += 1;
  }

  private read(name: string): number {
    const text = (this.variables.get(name) ?? '').trim();
    if (text === '') return 0;
    // A variable holding an expression is evaluated in turn (bash and ash do so).
    return /^-?[0-9]+$/.test(text) ? Number(text) : evaluateArithmetic(text, this.variables);
  }

  private write(name: string, value: number): number {
    if (this.skipping === 0) this.variables.set(name, String(value));
    return value;
  }

  comma(): number {
    let value = this.assignment();
    while (this.peekOperator() === ',') {
      this.position += 1;
      value = this.assignment();
    }
    return value;
  }

  private assignment(): number {
    const token = this.tokens[this.position];
    const next = this.tokens[this.position + 1];
    if (token?.kind === 'name' && next?.kind === 'operator' && /^(?:[-+*/%&|^]|<<|>>)?=$/.test(next.text)) {
      this.position += 2;
      const value = this.assignment();
      const operator = next.text.slice(0, -1);
      if (operator === '') return this.write(token.name, value);
      if (this.skipping > 0) return 0;
      return this.write(token.name, applyBinary(operator, this.read(token.name), value));
    }
    return this.conditional();
  }

  private conditional(): number {
    const condition = this.binary(0);
    if (this.peekOperator() !== '?') return condition;
    this.position += 1;
    if (condition === 0) this.skipping += 1;
    const whenTrue = this.assignment();
    if (condition === 0) this.skipping -= 1;
    this.expect(':');
    if (condition !== 0) this.skipping += 1;
    const whenFalse = this.assignment();
    if (condition !== 0) this.skipping -= 1;
    return condition !== 0 ? whenTrue : whenFalse;
  }

  private binary(level: number): number {
    const operators = binaryLevels[level];
    if (operators === undefined) return this.power();
    let left = this.binary(level + 1);
    for (;;) {
      const operator = this.peekOperator();
      if (operator === undefined || !operators.includes(operator)) return left;
      this.position += 1;
      const shortCircuit = (operator === '&&' && left === 0) || (operator === '||' && left !== 0);
      if (shortCircuit) this.skipping += 1;
      const right = this.binary(level + 1);
      if (shortCircuit) this.skipping -= 1;
      left =
        this.skipping > 0 && (operator === '/' || operator === '%') ? 0 : applyBinary(operator, left, right);
    }
  }

  private power(): number {
    const base = this.unary();
    if (this.peekOperator() !== '**') return base;
    this.position += 1;
    return applyBinary('**', base, this.power());
  }

  private unary(): number {
    const operator = this.peekOperator();
    if (operator === '++' || operator === '--') {
      this.position += 1;
      const token = this.tokens[this.position];
      if (token?.kind !== 'name') throw new ArithmeticError('arithmetic syntax error');
      this.position += 1;
      return this.write(token.name, this.read(token.name) + (operator === '++' ? 1 : -1));
    }
    if (operator === '-' || operator === '+' || operator === '!' || operator === '~') {
      this.position += 1;
      const value = this.unary();
      return operator === '-'
        ? -value
        : operator === '+'
          ? value
          : operator === '!'
            ? Number(value === 0)
            : ~value;
    }
    return this.primary();
  }

  private primary(): number {
    const token = this.tokens[this.position];
    if (token === undefined) throw new ArithmeticError('arithmetic syntax error');
    this.position += 1;
    if (token.kind === 'number') return token.value;
    if (token.kind === 'name') {
      const after = this.peekOperator();
      const value = this.read(token.name);
      if (after === '++' || after === '--') {
        this.position += 1;
        this.write(token.name, value + (after === '++' ? 1 : -1));
      }
      return value;
    }
    if (token.text !== '(') throw new ArithmeticError('arithmetic syntax error');
    const value = this.comma();
    this.expect(')');
    return value;
  }

  atEnd(): boolean {
    return this.position >= this.tokens.length;
  }
}

/** Tokens of expressions already read: a loop evaluates the same text on every turn. */
const tokenCache = new Map<string, Token[]>();

function tokensOf(text: string): Token[] {
  let tokens = tokenCache.get(text);
  if (tokens === undefined) {
    tokens = tokenize(text);
    if (tokenCache.size >= 1000) tokenCache.clear();
    tokenCache.set(text, tokens);
  }
  return tokens;
}

/** The value of an arithmetic expression whose `$` expansions were already done. */
export function evaluateArithmetic(text: string, variables: ArithmeticVariables): number {
  const tokens = tokensOf(text);
  if (tokens.length === 0) return 0;
  const evaluator = new Evaluator(tokens, variables);
  const value = evaluator.comma();
  if (!evaluator.atEnd()) throw new ArithmeticError('arithmetic syntax error');
  return value;
}
