/**
 * JSON as Python's `json` module reads it, and Python's `repr` of the result, for the demo clients
 * that print what a server returned (`print(res)` in the Elasticsearch clients). Python keeps two
 * things JavaScript loses: a number written with a fraction or exponent is a float (`1.0` prints
 * as `1.0`, `1` as `1`), and a dict keeps its keys in the order the text had them.
 */

/** A value as Python holds it after `json.loads`. */
export type PythonValue =
  | string
  | boolean
  | null
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | PythonValue[]
  | { kind: 'dict'; entries: [string, PythonValue][] };

/** A small JSON reader that keeps number kinds and key order; throws on malformed text. */
export function parsePythonJson(text: string): PythonValue {
  let index = 0;
  const skip = (): void => {
    while (index < text.length && /\s/.test(text[index] ?? '')) index++;
  };
  const fail = (): never => {
    throw new Error(`Expecting value: line 1 column ${index + 1} (char ${index})`);
  };
  const value = (): PythonValue => {
    skip();
    const char = text[index];
    if (char === '{') return object();
    if (char === '[') return array();
    if (char === '"') return string();
    for (const [word, result] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const)
      if (text.startsWith(word, index)) {
        index += word.length;
        return result;
      }
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(index));
    if (number === null) return fail();
    index += number[0].length;
    const float = number[1] !== undefined || number[2] !== undefined;
    return { kind: float ? 'float' : 'int', value: Number(number[0]) };
  };
  const string = (): string => {
    const match = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(index));
    if (match === null) return fail();
    index += match[0].length;
    return JSON.parse(match[0]) as string;
  };
  const array = (): PythonValue[] => {
    index++;
    const items: PythonValue[] = [];
    skip();
    if (text[index] === ']') {
      index++;
      return items;
    }
    for (;;) {
      items.push(value());
      skip();
      if (text[index] === ',') index++;
      else if (text[index] === ']') {
        index++;
        return items;
      } else return fail();
    }
  };
  const object = (): PythonValue => {
    index++;
    const entries: [string, PythonValue][] = [];
    skip();
    if (text[index] === '}') {
      index++;
      return { kind: 'dict', entries };
    }
    for (;;) {
      skip();
      const key = string();
      skip();
      if (text[index] !== ':') return fail();
      index++;
      entries.push([key, value()]);
      skip();
      if (text[index] === ',') index++;
      else if (text[index] === '}') {
        index++;
        return { kind: 'dict', entries };
      } else return fail();
    }
  };
  const result = value();
  skip();
  if (index !== text.length) fail();
  return result;
}

/** Python's repr of a str: single quotes unless the text has one and no double quote. */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') body += '\\\\';
    else if (char === quote) body += `\\${quote}`;
    else if (char === '\n') body += '\\n';
    else if (char === '\r') body += '\\r';
    else if (char === '\t') body += '\\t';
    else if (code < 0x20 || code === 0x7f) body += `\\x${code.toString(16).padStart(2, '0')}`;
    else body += char;
  }
  return `${quote}${body}${quote}`;
}

/** Python's repr of a float (the shortest text that reads back, with `.0` on whole numbers). */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e16 || magnitude < 1e-4)) {
    const [mantissa = '', exponent = '0'] = value.toExponential().split('e');
    const power = Number(exponent);
    return `${mantissa}e${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`;
  }
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** Python's repr of a value (what `print` shows for a dict). */
export function pythonRepr(value: PythonValue): string {
  if (typeof value === 'string') return pythonStringRepr(value);
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null) return 'None';
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (value.kind === 'int') return String(value.value);
  if (value.kind === 'float') return pythonFloatRepr(value.value);
  return `{${value.entries.map(([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`).join(', ')}}`;
}

/** A dict's value for a key, if the value is a dict's. */
export function pythonItem(value: PythonValue | undefined, key: string): PythonValue | undefined {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value))
    return undefined;
  if (value.kind !== 'dict') return undefined;
  return value.entries.find(([name]) => name === key)?.[1];
}
