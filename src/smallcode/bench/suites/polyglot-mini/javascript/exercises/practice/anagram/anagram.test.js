const test = require("node:test");
const assert = require("node:assert/strict");
const { findAnagrams } = require("./anagram.js");

test("none", () => assert.deepEqual(findAnagrams("diaper", ["hello", "world"]), []));
test("two", () => assert.deepEqual(findAnagrams("solemn", ["lemons", "cherry", "melons"]), ["lemons", "melons"]));
test("case insensitive", () => assert.deepEqual(findAnagrams("Orchestra", ["cashregister", "Carthorse", "radishes"]), ["Carthorse"]));
test("not itself", () => assert.deepEqual(findAnagrams("BANANA", ["banana", "Banana"]), []));
test("letter counts matter", () => assert.deepEqual(findAnagrams("galea", ["eagle"]), []));
