const test = require("node:test");
const assert = require("node:assert/strict");
const { greet } = require("./greeting.js");

test("greets by name", () => {
  assert.equal(greet("Ada"), "Hello, Ada!");
});

test("greets a stranger", () => {
  assert.equal(greet(""), "Hello, stranger!");
});
