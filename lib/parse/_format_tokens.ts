/**
 * Splitting an nginx `log_format` or Apache `LogFormat` string into literal text and fields.
 * Private to the format compiler.
 *
 * @module
 */
import {
  APACHE_DIRECTIVES,
  APACHE_PROP_NAMES,
  apacheDurationRole,
  apacheHeaderRole,
  type FieldRole,
  NGINX_VARIABLES,
} from "./_log_format_variables.ts";

/** One field of a format: where it is written, what it is called and what it fills. */
export interface FormatField {
  /** The variable as written, e.g. `$status` or `%>s`; used in messages. */
  written: string;
  /** What the value is used for. */
  role: FieldRole;
  /** Name in `props` when the role is `prop`. */
  prop: string;
}

/** A format as a list of literal texts and fields, in order. */
export type FormatToken = string | FormatField;

/** Which syntax a format string uses. */
export type FormatDialect = "nginx" | "apache";

/** A format string that cannot be compiled, with the column (1-based) in the format. */
export class LogFormatError extends Error {
  /**
   * @param message What is wrong and what to do.
   * @param column Column in the format string where the problem is, 1-based.
   */
  constructor(message: string, readonly column: number) {
    super(message);
    this.name = "LogFormatError";
  }
}

const DOLLAR = 36;
const PERCENT = 37;

function isNameChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) || code === 95;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * The dialect of a format: nginx when it has a `$name` variable, Apache when it has a `%x`
 * directive.
 */
export function formatDialect(format: string): FormatDialect | undefined {
  for (let i = 0; i < format.length - 1; i++) {
    const code = format.charCodeAt(i);
    const next = format.charCodeAt(i + 1);
    if (code === DOLLAR && (isNameChar(next) || next === 123)) return "nginx";
  }
  for (let i = 0; i < format.length - 1; i++) {
    if (format.charCodeAt(i) === PERCENT && format[i + 1] !== "%") return "apache";
  }
  return undefined;
}

/** Appends literal text, joining it with a literal just before. */
function pushLiteral(tokens: FormatToken[], text: string): void {
  if (text.length === 0) return;
  const last = tokens[tokens.length - 1];
  if (typeof last === "string") tokens[tokens.length - 1] = last + text;
  else tokens.push(text);
}

/** Tokens of an nginx format: `$name` and `${name}` are variables. */
export function nginxTokens(format: string): FormatToken[] {
  const tokens: FormatToken[] = [];
  let literal = "";
  for (let i = 0; i < format.length; i++) {
    const code = format.charCodeAt(i);
    if (code !== DOLLAR) {
      literal += format[i];
      continue;
    }
    let name: string;
    let end: number;
    if (format[i + 1] === "{") {
      end = format.indexOf("}", i + 2);
      if (end < 0) {
        throw new LogFormatError(
          `format: "\${" at column ${i + 1} of the format is not closed; write \${name}`,
          i + 1,
        );
      }
      name = format.slice(i + 2, end);
      end++;
    } else {
      end = i + 1;
      while (end < format.length && isNameChar(format.charCodeAt(end))) end++;
      name = format.slice(i + 1, end);
    }
    if (name.length === 0 || ![...name].every((char) => isNameChar(char.charCodeAt(0)))) {
      throw new LogFormatError(
        `format: "$" at column ${
          i + 1
        } of the format is not followed by a variable name; write $name`,
        i + 1,
      );
    }
    pushLiteral(tokens, literal);
    literal = "";
    tokens.push({ written: `$${name}`, role: NGINX_VARIABLES[name] ?? "prop", prop: name });
    i = end - 1;
  }
  pushLiteral(tokens, literal);
  return tokens;
}

/** The field of one Apache directive `%[<>][!]status,list{argument}letter`. */
function apacheField(written: string, argument: string | undefined, letter: string): FormatField {
  if (argument !== undefined) {
    if (letter === "i") {
      return {
        written,
        role: apacheHeaderRole(argument),
        prop: argument.toLowerCase().replaceAll("-", "_"),
      };
    }
    if (letter === "T") {
      const role = apacheDurationRole(argument);
      if (role !== undefined) return { written, role, prop: "time_taken" };
    }
    return { written, role: "prop", prop: `${letter}_${argument}`.replaceAll("-", "_") };
  }
  const role = APACHE_DIRECTIVES[letter];
  if (role !== undefined) return { written, role, prop: letter };
  return { written, role: "prop", prop: APACHE_PROP_NAMES[letter] ?? letter };
}

/**
 * Tokens of an Apache format: `%` directives, `%%` for a percent sign, and the escapes of
 * httpd.conf (`\"`, `\t`, `\n`, `\\`) for text.
 */
export function apacheTokens(format: string): FormatToken[] {
  const tokens: FormatToken[] = [];
  let literal = "";
  for (let i = 0; i < format.length; i++) {
    const char = format[i];
    if (char === "\\" && i + 1 < format.length) {
      const next = format[i + 1];
      literal += next === "t" ? "\t" : next === "n" ? "\n" : next!;
      i++;
      continue;
    }
    if (char !== "%") {
      literal += char;
      continue;
    }
    if (format[i + 1] === "%") {
      literal += "%";
      i++;
      continue;
    }
    let at = i + 1;
    while (at < format.length && "<>!,0123456789".includes(format[at]!)) at++;
    let argument: string | undefined;
    if (format[at] === "{") {
      const close = format.indexOf("}", at + 1);
      if (close < 0) {
        throw new LogFormatError(
          `format: "%{" at column ${i + 1} of the format is not closed; write %{Name}i`,
          i + 1,
        );
      }
      argument = format.slice(at + 1, close);
      at = close + 1;
    }
    const letter = format[at];
    if (letter === undefined || !isLetter(letter.charCodeAt(0))) {
      throw new LogFormatError(
        `format: "%" at column ${
          i + 1
        } of the format is not followed by a directive letter (such as %h, ` +
          `%>s, %{Referer}i); write %% for a percent sign`,
        i + 1,
      );
    }
    pushLiteral(tokens, literal);
    literal = "";
    tokens.push(apacheField(format.slice(i, at + 1), argument, letter));
    i = at;
  }
  pushLiteral(tokens, literal);
  return tokens;
}
