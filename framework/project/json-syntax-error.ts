/** Where a text stops being JSON: `offset` into the text and what was expected there. */
export interface JsonSyntaxError {
  offset: number;
  message: string;
}

/**
 * Finds the first JSON syntax error in `text`, or returns undefined when it is JSON. Node 20's
 * `JSON.parse` leaves the position out of many messages, so errors can name the line this way.
 *
 * @example
 * jsonSyntaxError('{\n  "files": [],\n}'); // { offset: 17, message: "expected a double-quoted property name, got `}`" }
 */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const got = () => (i >= text.length ? "the end of the file" : `\`${text[i]}\``);
  const fail = (message: string): never => {
    throw new Found({ offset: i, message });
  };
  const skipSpace = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const expect = (char: string, what: string) => {
    skipSpace();
    if (text[i] !== char) fail(`expected ${what}, got ${got()}`);
    i++;
  };

  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === "{") return object();
    if (c === "[") return array();
    if (c === '"') return string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number();
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail(`expected a value, got ${got()}`);
  };
  const object = () => {
    i++;
    skipSpace();
    if (text[i] === "}") return void i++;
    for (;;) {
      skipSpace();
      if (text[i] !== '"') fail(`expected a double-quoted property name, got ${got()}`);
      string();
      expect(":", "`:` after a property name");
      value();
      skipSpace();
      if (text[i] === "}") return void i++;
      expect(",", "`,` or `}` after a property value");
    }
  };
  const array = () => {
    i++;
    skipSpace();
    if (text[i] === "]") return void i++;
    for (;;) {
      value();
      skipSpace();
      if (text[i] === "]") return void i++;
      expect(",", "`,` or `]` after an array item");
    }
  };
  const string = () => {
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) fail("expected `\"` to end the string, got the end of the file");
      if (c === '"') return void i++;
      if (c! < " ") fail("expected an escape such as `\\n` for a control character inside a string");
      if (c === "\\") {
        i++;
        if (text[i] === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 4;
        else if (!'"\\/bfnrt'.includes(text[i] ?? "x")) fail(`expected an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), got ${got()}`);
      }
      i++;
    }
  };
  const number = () => {
    const match = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    match.lastIndex = i;
    const found = match.exec(text);
    if (!found || found[0] === "-") fail(`expected a number, got ${got()}`);
    i += found![0].length;
  };

  try {
    value();
    skipSpace();
    if (i < text.length) fail(`expected the end of the file after the JSON value, got ${got()}`);
    return undefined;
  } catch (error) {
    if (error instanceof Found) return error.found;
    throw error;
  }
}

// Carries the first error out of the recursive descent.
class Found {
  constructor(readonly found: JsonSyntaxError) {}
}
