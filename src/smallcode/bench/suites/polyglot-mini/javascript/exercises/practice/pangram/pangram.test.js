const test = require("node:test");
const assert = require("node:assert/strict");
const { isPangram } = require("./pangram.js");

test("empty sentence", () => assert.equal(isPangram(""), false));
test("classic pangram", () => assert.equal(isPangram("The quick brown fox jumps over the lazy dog"), true));
test("missing x", () => assert.equal(isPangram("a quick movement of the enemy will jeopardize five gunboats"), false));
test("mixed case", () => assert.equal(isPangram("the quick brown fox jumps over THE LAZY DOG"), true));
test("letters only once each but not all", () => assert.equal(isPangram("abcdefghijklm"), false));
