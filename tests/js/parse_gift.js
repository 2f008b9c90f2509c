// Reads GIFT on stdin, prints what gift-pegjs (the reference GIFT grammar) parses it into, as JSON.
// A syntax error exits 2 with the position, so the Python test can show where the export broke.
"use strict";

const fs = require("fs");
const { parse, SyntaxError: GiftSyntaxError } = require("gift-pegjs");

const text = fs.readFileSync(0, "utf8");
try {
  process.stdout.write(JSON.stringify(parse(text)));
} catch (error) {
  if (!(error instanceof GiftSyntaxError)) {
    throw error;
  }
  const { line, column } = error.location.start;
  process.stderr.write(`gift-pegjs: ${error.message} (line ${line}, column ${column})\n`);
  process.exit(2);
}
