/**
 * The small expression language that replaces Plagger's `Rule::Expression` (which `eval`ed Perl
 * from the config). A recursive-descent parser turns the text into closures over the rule fields;
 * nothing is ever evaluated as code.
 *
 *   entry.title =~ /foo/i && feed.type == "twitter"
 *   "reply" in entry.tags || entry.age < 2d
 *   $args->{feed}->id eq 'smartfeed:all'          (Plagger's spelling still reads)
 *
 * Grammar:
 *   expr     := and (('||' | 'or') and)*
 *   and      := unary (('&&' | 'and') unary)*
 *   unary    := ('!' | 'not') unary | compare
 *   compare  := operand (op operand)?      op: == != eq ne =~ !~ < <= > >= in contains
 *   operand  := literal | path | call | '(' expr ')' | '[' (expr (',' expr)*)? ']'
 *   literal  := "string" | 'string' | number | duration (2d, 36h) | /regex/flags | true | false | null
 *   path     := (entry | feed) ('.' name)*       call := has | len | lower | date | now '(' args ')'
 */
import type { Entry, Feed } from '../model.js';
import type { RuleEnv } from '../context.js';
import { RuleError } from './error.js';
import { FIELDS, lookupField, nearestNames } from './fields.js';
import { compileDate, compileRegex, parseDuration, type Matcher } from './values.js';

type Value = string | number | boolean | undefined | Value[];

interface Scope {
  entry: Entry;
  feed: Feed;
  env: RuleEnv;
}

type Evaluate = (scope: Scope) => Value;

interface Compiled {
  evaluate: Evaluate;
  /** Set for literals, so that a comparison can prepare them once (regexes, dates). */
  literal?: { value: Value; raw: string; kind: 'string' | 'number' | 'regex' | 'other'; matcher?: Matcher };
  /** Set for date fields, so that `entry.date < "2008-05-30"` reads the string as a date. */
  isDate?: boolean;
}

type TokenKind = 'number' | 'string' | 'regex' | 'name' | 'punct' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
  column: number;
  value?: string | number;
}

const PUNCTUATION = ['&&', '||', '==', '!=', '=~', '!~', '<=', '>=', '<', '>', '!', '(', ')', '[', ']', ',', '.'];
const DURATION_SUFFIX = /^(\d+(?:\.\d+)?)(ms|[smhdw])\b/;
const PLAGGER_ARGS = /^\$args->\{\s*(entry|feed)\s*\}/;

class ExpressionSyntax {
  private tokens: Token[] = [];
  private position = 0;

  constructor(
    private readonly source: string,
    private readonly path: Array<string | number>,
  ) {
    this.tokens = this.tokenize();
  }

  fail(message: string, column: number): never {
    const pointer = `${this.source}\n${' '.repeat(Math.max(0, column - 1))}^`;
    throw new RuleError(`expression: ${message} at column ${column}\n${pointer}`, this.path);
  }

  private tokenize(): Token[] {
    const tokens: Token[] = [];
    const text = this.source;
    let i = 0;
    while (i < text.length) {
      const char = text[i]!;
      const column = i + 1;
      if (/\s/.test(char)) {
        i++;
        continue;
      }
      const rest = text.slice(i);
      const args = PLAGGER_ARGS.exec(rest);
      if (args) {
        tokens.push({ kind: 'name', text: args[1]!, column });
        i += args[0].length;
        continue;
      }
      if (rest.startsWith('->')) {
        // Perl's `->name`, `->{name}` and `->name()` all read as `.name`.
        i += 2;
        const braced = /^\{\s*(\w+)\s*\}/.exec(text.slice(i));
        tokens.push({ kind: 'punct', text: '.', column });
        if (braced) {
          tokens.push({ kind: 'name', text: braced[1]!, column: i + 1 });
          i += braced[0].length;
        }
        continue;
      }
      if (char === '"' || char === "'") {
        let value = '';
        let j = i + 1;
        for (; j < text.length && text[j] !== char; j++) {
          if (text[j] === '\\' && j + 1 < text.length) {
            const escaped = text[++j]!;
            value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
          } else value += text[j];
        }
        if (j >= text.length) this.fail('unterminated string', column);
        tokens.push({ kind: 'string', text: text.slice(i, j + 1), column, value });
        i = j + 1;
        continue;
      }
      if (char === '/') {
        let j = i + 1;
        let inClass = false;
        for (; j < text.length; j++) {
          const c = text[j];
          if (c === '\\') j++;
          else if (c === '[') inClass = true;
          else if (c === ']') inClass = false;
          else if (c === '/' && !inClass) break;
        }
        if (j >= text.length) this.fail('unterminated /regex/', column);
        const flags = /^[a-z]*/.exec(text.slice(j + 1))![0];
        tokens.push({ kind: 'regex', text: text.slice(i, j + 1 + flags.length), column });
        i = j + 1 + flags.length;
        continue;
      }
      const duration = DURATION_SUFFIX.exec(rest);
      if (duration) {
        const ms =
          duration[2] === 'ms' ? Number(duration[1]) : parseDuration(`${duration[1]}${duration[2]}`, this.path);
        tokens.push({ kind: 'number', text: duration[0], column, value: ms });
        i += duration[0].length;
        continue;
      }
      const number = /^\d+(?:\.\d+)?/.exec(rest);
      if (number) {
        tokens.push({ kind: 'number', text: number[0], column, value: Number(number[0]) });
        i += number[0].length;
        continue;
      }
      const name = /^[A-Za-z_][\w]*/.exec(rest);
      if (name) {
        tokens.push({ kind: 'name', text: name[0], column });
        i += name[0].length;
        continue;
      }
      const punct = PUNCTUATION.find((p) => rest.startsWith(p));
      if (!punct) this.fail(`unexpected character '${char}'`, column);
      tokens.push({ kind: 'punct', text: punct, column });
      i += punct.length;
    }
    tokens.push({ kind: 'end', text: 'end of expression', column: text.length + 1 });
    return tokens;
  }

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private next(): Token {
    return this.tokens[this.position++]!;
  }

  private accept(...texts: string[]): Token | undefined {
    const token = this.peek();
    if ((token.kind === 'punct' || token.kind === 'name') && texts.includes(token.text)) {
      this.position++;
      return token;
    }
    return undefined;
  }

  private expect(text: string): Token {
    const token = this.accept(text);
    if (!token) this.fail(`expected '${text}' but found '${this.peek().text}'`, this.peek().column);
    return token;
  }

  parse(): Evaluate {
    if (this.peek().kind === 'end') this.fail('empty expression', 1);
    const compiled = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== 'end') this.fail(`unexpected '${rest.text}'`, rest.column);
    return compiled.evaluate;
  }

  private parseOr(): Compiled {
    let left = this.parseAnd();
    while (this.accept('||', 'or')) {
      const a = left.evaluate;
      const b = this.parseAnd().evaluate;
      left = { evaluate: (scope) => truthy(a(scope)) || truthy(b(scope)) };
    }
    return left;
  }

  private parseAnd(): Compiled {
    let left = this.parseUnary();
    while (this.accept('&&', 'and')) {
      const a = left.evaluate;
      const b = this.parseUnary().evaluate;
      left = { evaluate: (scope) => truthy(a(scope)) && truthy(b(scope)) };
    }
    return left;
  }

  private parseUnary(): Compiled {
    if (this.accept('!', 'not')) {
      const operand = this.parseUnary().evaluate;
      return { evaluate: (scope) => !truthy(operand(scope)) };
    }
    return this.parseCompare();
  }

  private parseCompare(): Compiled {
    const left = this.parseOperand();
    const op = this.accept('==', '!=', 'eq', 'ne', '=~', '!~', '<', '<=', '>', '>=', 'in', 'contains');
    if (!op) return left;
    const right = this.parseOperand();
    return { evaluate: this.comparison(op, left, right) };
  }

  private comparison(op: Token, left: Compiled, right: Compiled): Evaluate {
    const a = left.evaluate;
    switch (op.text) {
      case '=~':
      case '!~': {
        const matcher = right.literal?.matcher ?? (right.literal?.kind === 'string' ? compileRegex(right.literal.value, this.path) : undefined);
        if (!matcher) this.fail(`the right side of ${op.text} must be a /regex/ or a string`, op.column);
        const negate = op.text === '!~';
        return (scope) => matchesValue(a(scope), matcher) !== negate;
      }
      case '==':
      case 'eq':
      case '!=':
      case 'ne': {
        const b = this.operandFor(right, left);
        const negate = op.text === '!=' || op.text === 'ne';
        return (scope) => equalValues(a(scope), b(scope)) !== negate;
      }
      case 'in':
        return (scope) => contains(right.evaluate(scope), a(scope));
      case 'contains':
        return (scope) => contains(a(scope), right.evaluate(scope));
      default: {
        const b = this.operandFor(right, left);
        const aa = this.operandFor(left, right);
        const compare = ORDER[op.text]!;
        return (scope) => {
          const x = aa(scope);
          const y = b(scope);
          if (typeof x === 'number' && typeof y === 'number') return compare(x - y);
          if (typeof x === 'string' && typeof y === 'string') return compare(x < y ? -1 : x > y ? 1 : 0);
          return false;
        };
      }
    }
  }

  /** A string literal compared with a date field is a date. */
  private operandFor(operand: Compiled, other: Compiled): Evaluate {
    if (other.isDate && operand.literal?.kind === 'string') {
      const when = compileDate(operand.literal.value, this.path);
      return (scope) => when.at(scope.env.timezone);
    }
    return operand.evaluate;
  }

  private parseOperand(): Compiled {
    const token = this.next();
    switch (token.kind) {
      case 'string':
      case 'number': {
        const value = token.value!;
        return { evaluate: () => value, literal: { value, raw: token.text, kind: token.kind } };
      }
      case 'regex': {
        const matcher = compileRegex(token.text, this.path);
        return { evaluate: () => token.text, literal: { value: token.text, raw: token.text, kind: 'regex', matcher } };
      }
      case 'punct':
        if (token.text === '(') {
          const inner = this.parseOr();
          this.expect(')');
          return inner;
        }
        if (token.text === '[') {
          const items: Evaluate[] = [];
          if (!this.accept(']')) {
            do items.push(this.parseOr().evaluate);
            while (this.accept(','));
            this.expect(']');
          }
          return { evaluate: (scope) => items.map((item) => item(scope)) };
        }
        return this.fail(`unexpected '${token.text}'`, token.column);
      case 'name':
        return this.parseName(token);
      default:
        return this.fail(`unexpected ${token.text}`, token.column);
    }
  }

  private parseName(token: Token): Compiled {
    switch (token.text) {
      case 'true':
        return { evaluate: () => true, literal: { value: true, raw: 'true', kind: 'other' } };
      case 'false':
        return { evaluate: () => false, literal: { value: false, raw: 'false', kind: 'other' } };
      case 'null':
      case 'undef':
        return { evaluate: () => undefined, literal: { value: undefined, raw: token.text, kind: 'other' } };
      case 'entry':
      case 'feed':
        return this.parsePath(token);
    }
    if (this.peek().text === '(') return this.parseCall(token);
    return this.fail(`unknown name '${token.text}' (fields start with entry. or feed.)`, token.column);
  }

  private parsePath(root: Token): Compiled {
    const segments: string[] = [];
    while (this.accept('.')) {
      const name = this.next();
      if (name.kind !== 'name') this.fail(`expected a field name after '.'`, name.column);
      segments.push(name.text);
      // Perl method call parentheses: `$args->{feed}->id()`.
      if (this.peek().text === '(' && this.tokens[this.position + 1]?.text === ')') this.position += 2;
    }
    const joined = segments.join('.');
    const fieldName = root.text === 'feed' ? `feed.${joined}` : joined;
    if (root.text === 'entry' && joined === 'age') {
      return {
        evaluate: ({ entry, env }) => {
          const when = entry.published ?? entry.updated;
          return when ? env.now - when.epochMs : undefined;
        },
      };
    }
    if (root.text === 'entry' && (joined === 'body' || joined === 'permalink')) {
      return this.fieldReader(joined === 'body' ? 'body' : 'link');
    }
    const field = segments.length > 0 ? lookupField(fieldName) : undefined;
    if (!field || (root.text === 'entry' && field.name.startsWith('feed.'))) {
      const known = Object.keys(FIELDS).map((name) => (name.startsWith('feed.') ? name : `entry.${name}`));
      const written = `${root.text}${joined ? `.${joined}` : ''}`;
      const hint = nearestNames(written, [...known, 'entry.age']);
      this.fail(`unknown field '${written}'${hint.length ? ` (did you mean ${hint.join(', ')}?)` : ''}`, root.column);
    }
    return this.fieldReader(field.name);
  }

  private fieldReader(name: string): Compiled {
    const spec = FIELDS[name]!;
    if (spec.kind === 'date') {
      return {
        evaluate: ({ entry, feed }) => (spec.read(entry, feed) as { epochMs: number } | undefined)?.epochMs,
        isDate: true,
      };
    }
    return { evaluate: ({ entry, feed }) => spec.read(entry, feed) as Value };
  }

  private parseCall(name: Token): Compiled {
    this.expect('(');
    const args: Compiled[] = [];
    if (!this.accept(')')) {
      do args.push(this.parseOr());
      while (this.accept(','));
      this.expect(')');
    }
    const arity = (count: number) => {
      if (args.length !== count) this.fail(`${name.text}() takes ${count} argument(s), got ${args.length}`, name.column);
    };
    switch (name.text) {
      case 'has':
      case 'defined': {
        arity(1);
        const value = args[0]!.evaluate;
        return { evaluate: (scope) => truthy(value(scope)) };
      }
      case 'len':
      case 'length':
      case 'count': {
        arity(1);
        const value = args[0]!.evaluate;
        return {
          evaluate: (scope) => {
            const v = value(scope);
            return Array.isArray(v) || typeof v === 'string' ? v.length : 0;
          },
        };
      }
      case 'lower':
      case 'lc': {
        arity(1);
        const value = args[0]!.evaluate;
        return {
          evaluate: (scope) => {
            const v = value(scope);
            return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x.toLowerCase() : x)) : typeof v === 'string' ? v.toLowerCase() : v;
          },
        };
      }
      case 'date': {
        arity(1);
        const literal = args[0]!.literal;
        if (literal?.kind !== 'string') this.fail('date() takes a quoted date', name.column);
        const when = compileDate(literal.value, this.path);
        return { evaluate: (scope) => when.at(scope.env.timezone), isDate: true };
      }
      case 'now':
        arity(0);
        return { evaluate: (scope) => scope.env.now, isDate: true };
      default:
        return this.fail(`unknown function ${name.text}() (has, len, lower, date, now)`, name.column);
    }
  }
}

const ORDER: Record<string, (difference: number) => boolean> = {
  '<': (d) => d < 0,
  '<=': (d) => d <= 0,
  '>': (d) => d > 0,
  '>=': (d) => d >= 0,
};

function truthy(value: Value): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== undefined && value !== false && value !== '' && value !== 0;
}

function matchesValue(value: Value, matcher: Matcher): boolean {
  if (Array.isArray(value)) return value.some((item) => matchesValue(item, matcher));
  if (value === undefined) return false;
  return matcher.test(String(value));
}

function equalValues(a: Value, b: Value): boolean {
  if (Array.isArray(a) && !Array.isArray(b)) return a.some((item) => equalValues(item, b));
  if (Array.isArray(b) && !Array.isArray(a)) return equalValues(b, a);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => equalValues(item, b[i]));
  if (a === undefined || b === undefined) return a === b;
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return String(a) === String(b);
}

/** `container contains item`: a list holds it (case folded), or a string has it as a substring. */
function contains(container: Value, item: Value): boolean {
  if (item === undefined || container === undefined) return false;
  if (Array.isArray(item)) return item.some((one) => contains(container, one));
  const needle = String(item).toLowerCase();
  if (Array.isArray(container)) return container.some((one) => one !== undefined && String(one).toLowerCase() === needle);
  return String(container).toLowerCase().includes(needle);
}

export interface CompiledExpression {
  source: string;
  test(entry: Entry, feed: Feed, env: RuleEnv): boolean;
}

export function compileExpression(source: unknown, path: Array<string | number>): CompiledExpression {
  if (typeof source !== 'string' || !source.trim()) throw new RuleError('expression must be a non-empty string', path);
  const evaluate = new ExpressionSyntax(source, path).parse();
  return { source, test: (entry, feed, env) => truthy(evaluate({ entry, feed, env })) };
}
